"""The social network: kin, household, workplace and friendship ties between residents.

Nodes are person rows. Each person in the network has one compact ``array('i')`` of neighbours, kept sorted by
row, whose entries also carry the kind of the tie in their low bits (``row << 3 | kind``, ``kind`` indexing
:data:`TIE_KINDS`). That costs about 80 bytes plus 4 bytes per tie and person (a networkx graph costs 1–2 KB),
finds a tie by bisection and adds one in about a microsecond. Vectorised consumers read a CSR snapshot
(:meth:`SocialNetwork.adjacency`), built on demand and cached until the next change.

Removing a person costs nothing per tie: the entries others hold for them stay where they are and every reader
skips rows no longer in the network (rows are never reused, so a stale entry can never match a new tie). They
cost 4 bytes each, a few megabytes over a decade of a city.

The number of ties of each person is mirrored in ``persons.ties`` and updated incrementally, so the yearly
migration hazard reads it for everyone at once without scanning the network.

The public interface of the former networkx implementation is kept: :attr:`SocialNetwork.graph` still gives a
``networkx.Graph`` (nodes = persons in the network, edges with a ``kind`` attribute), built on demand as a
snapshot.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from resilience.model.state import PersonTable

__all__ = ["TIE_KINDS", "SocialNetwork"]

TIE_KINDS = ("household", "kin", "work", "friend")

#: Low bits of a stored neighbour entry that hold the kind of the tie.
_KIND_BITS = 3
_KIND_MASK = (1 << _KIND_BITS) - 1
assert len(TIE_KINDS) <= 1 << _KIND_BITS
_KIND_CODE = {kind: code for code, kind in enumerate(TIE_KINDS)}
#: Above this many pairs, :meth:`SocialNetwork.tie_many` merges them in with numpy instead of one by one.
_BULK_PAIRS = 256
#: The neighbour array of every row not in the network (never added, or removed); never modified.
_GONE: array[int] = array("i")


def _sorted_unique(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """``np.unique`` by sorting (faster than numpy's hash-based unique for integer keys)."""
    values = np.sort(values)
    if values.size:
        values = values[np.concatenate([[True], values[1:] != values[:-1]])]
    return values


def _kind_code(kind: str) -> int:
    try:
        return _KIND_CODE[kind]
    except KeyError:
        raise ValueError(f"unknown tie kind {kind!r} (expected one of {TIE_KINDS})") from None


class SocialNetwork:
    """An undirected network of residents that keeps ``persons.ties`` equal to each person's degree.

    Rows are never reused, so a person removed from the network stays out of it.
    """

    def __init__(self, persons: PersonTable) -> None:
        self._persons = persons
        #: Sorted neighbour entries (``row << 3 | kind``) per row; ``_GONE`` for rows not in the network.
        self._adj: list[array[int]] = []
        self._member = np.zeros(64, dtype=bool)
        self._count = 0
        self._csr: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int8]] | None = None

    def __setstate__(self, state: dict[str, object]) -> None:
        # Unpickled or deep-copied: rows not in the network must point at this module's ``_GONE`` again.
        self.__dict__.update(state)
        member = self._member
        self._adj = [arr if member[r] else _GONE for r, arr in enumerate(self._adj)]

    # -- building ------------------------------------------------------------------------------------------

    def add_person(self, row: int) -> None:
        """Put person ``row`` in the network, without ties (no-op if already in it)."""
        row = int(row)
        if row < 0:
            raise ValueError(f"person row must be non-negative, got {row}")
        if row < len(self._adj) and self._adj[row] is not _GONE:
            return
        if row >= len(self._adj):
            self._adj.extend(_GONE for _ in range(row + 1 - len(self._adj)))
            if row >= self._member.size:
                member = np.zeros(max(row + 1, 2 * self._member.size), dtype=bool)
                member[: self._member.size] = self._member
                self._member = member
        self._adj[row] = array("i")
        self._member[row] = True
        self._count += 1
        self._csr = None

    def add_persons(self, first: int, count: int) -> None:
        """Put the ``count`` new persons ``first .. first + count - 1`` in the network, without ties.

        Rows must be beyond every row seen so far (new persons); the same as :meth:`add_person` for each.
        """
        if first < len(self._adj):
            for row in range(first, first + count):
                self.add_person(row)
            return
        end = first + count
        self._adj.extend(_GONE for _ in range(first - len(self._adj)))
        self._adj.extend([array("i") for _ in range(count)])
        if end > self._member.size:
            member = np.zeros(max(end, 2 * self._member.size), dtype=bool)
            member[: self._member.size] = self._member
            self._member = member
        self._member[first:end] = True
        self._count += count
        self._csr = None

    def _check_member(self, row: int) -> None:
        if not (0 <= row < len(self._adj) and self._adj[row] is not _GONE):
            raise KeyError(f"person {row} is not in the network")

    def tie(self, a: int, b: int, kind: str) -> None:
        """Tie ``a`` and ``b`` (no-op if already tied or the same person); both must be in the network."""
        a = int(a)
        b = int(b)
        if a == b:
            return
        adj = self._adj
        if a < 0 or b < 0 or a >= len(adj) or b >= len(adj) or adj[a] is _GONE or adj[b] is _GONE:
            self._check_member(a)
            self._check_member(b)
        na = adj[a]
        key_b = b << _KIND_BITS
        i = bisect_left(na, key_b)
        if i < len(na) and na[i] >> _KIND_BITS == b:
            return
        code = _KIND_CODE.get(kind)
        if code is None:
            code = _kind_code(kind)
        na.insert(i, key_b | code)
        nb = adj[b]
        key_a = a << _KIND_BITS
        nb.insert(bisect_left(nb, key_a), key_a | code)
        ties = self._persons.ties
        ties[a] += 1
        ties[b] += 1
        self._csr = None

    def tie_many(
        self, a: NDArray[np.integer] | Iterable[int], b: NDArray[np.integer] | Iterable[int], kind: str
    ) -> None:
        """Tie ``a[i]`` and ``b[i]`` for every ``i``: the same as calling :meth:`tie` pairwise in order.

        Self-ties and pairs already tied (before or earlier in the arrays) are skipped. Every person must be in
        the network; otherwise ``KeyError`` is raised before any tie is made.
        """
        a_arr = np.asarray(a, dtype=np.int64).ravel()
        b_arr = np.asarray(b, dtype=np.int64).ravel()
        if a_arr.shape != b_arr.shape:
            raise ValueError(f"tie_many needs equally long arrays, got {a_arr.size} and {b_arr.size}")
        code = _kind_code(kind)
        if a_arr.size < _BULK_PAIRS:
            # Few pairs (hires, arrivals, births): checked and tied in Python, cheaper than numpy's set-up.
            a_list, b_list = a_arr.tolist(), b_arr.tolist()
            adj, n_rows = self._adj, len(self._adj)
            for x, y in zip(a_list, b_list, strict=True):
                # A self-tie is skipped, as by tie(); otherwise both must be in the network.
                if x != y and (x < 0 or y < 0 or x >= n_rows or y >= n_rows or adj[x] is _GONE or adj[y] is _GONE):
                    missing = x if (x < 0 or x >= n_rows or adj[x] is _GONE) else y
                    raise KeyError(f"person {missing} is not in the network")
            self._tie_each(a_list, b_list, code)
            return
        self.tie_groups([(a_arr, b_arr, kind)])

    def _tie_each(self, a: list[int], b: list[int], code: int) -> None:
        # :meth:`tie` for each pair in turn, for persons already checked to be in the network.
        adj = self._adj
        ties = self._persons.ties
        gained: list[int] = []
        for x, y in zip(a, b, strict=True):
            if x == y:
                continue
            nx_ = adj[x]
            key_y = y << _KIND_BITS
            i = bisect_left(nx_, key_y)
            if i < len(nx_) and nx_[i] >> _KIND_BITS == y:
                continue
            nx_.insert(i, key_y | code)
            ny = adj[y]
            key_x = x << _KIND_BITS
            ny.insert(bisect_left(ny, key_x), key_x | code)
            gained.append(x)
            gained.append(y)
        if gained:
            np.add.at(ties, gained, 1)
            self._csr = None

    def tie_groups(self, groups: Sequence[tuple[NDArray[np.integer], NDArray[np.integer], str]]) -> None:
        """:meth:`tie_many` for each ``(a, b, kind)`` of ``groups`` in turn, as one bulk operation.

        A pair that occurs more than once keeps the kind of its first occurrence, as one group after another.

        >>> network.tie_groups([(heads, partners, "household"), (workers, colleagues, "work")])  # doctest: +SKIP
        """
        a_arr = np.concatenate([np.asarray(a, dtype=np.int64).ravel() for a, _, _ in groups])
        b_arr = np.concatenate([np.asarray(b, dtype=np.int64).ravel() for _, b, _ in groups])
        if a_arr.shape != b_arr.shape:
            raise ValueError(f"tie_groups needs equally long arrays, got {a_arr.size} and {b_arr.size}")
        kinds = [_kind_code(kind) for _, _, kind in groups]
        codes = np.concatenate([np.full(np.size(g[0]), k, dtype=np.int64) for g, k in zip(groups, kinds, strict=True)])
        keep = a_arr != b_arr
        a_arr, b_arr, codes = a_arr[keep], b_arr[keep], codes[keep]
        if not a_arr.size:
            return
        both = np.concatenate([a_arr, b_arr])
        inside = (both >= 0) & (both < len(self._adj))
        if not inside.all() or not self._member[both].all():
            bad = both[~inside] if not inside.all() else both[~self._member[both]]
            raise KeyError(f"person {int(bad[0])} is not in the network")
        # One kind for all: the cheaper merge, which need not track which occurrence of a pair came first.
        self._tie_bulk(a_arr, b_arr, kinds[0] if len(set(kinds)) == 1 else codes)

    def _tie_bulk(self, a: NDArray[np.int64], b: NDArray[np.int64], code: int | NDArray[np.int64]) -> None:
        # The network gains every pair not already tied, with the kind of the pair's first occurrence; with one
        # kind for all, the result does not depend on the order. Only the rows touched are read and rewritten.
        n_rows = len(self._adj)
        keys = np.minimum(a, b) * n_rows + np.maximum(a, b)
        if np.ndim(code) == 0:
            pairs = _sorted_unique(keys)
            pair_codes: NDArray[np.int64] | int = int(code)
        else:
            pairs, first = np.unique(keys, return_index=True)
            pair_codes = np.asarray(code)[first]
        lo, hi = np.divmod(pairs, n_rows)
        rows = _sorted_unique(np.concatenate([lo, hi]))
        adj = self._adj
        rows_list = rows.tolist()
        lengths = np.fromiter((len(adj[r]) for r in rows_list), dtype=np.int64, count=len(rows_list))
        old = np.frombuffer(b"".join([adj[r] for r in rows_list]), dtype=np.int32).astype(np.int64)
        old_src = np.repeat(rows, lengths)
        # Existing ties seen from the lower end, as sorted keys ``lo * n_rows + hi``.
        existing = old_src * n_rows + (old >> _KIND_BITS)
        pos = np.searchsorted(existing, pairs)
        pos[pos == existing.size] = 0
        new = existing[pos] != pairs if existing.size else np.ones(pairs.size, dtype=bool)
        lo, hi = lo[new], hi[new]
        if not lo.size:
            return
        if not isinstance(pair_codes, int):
            pair_codes = pair_codes[new]
        src = np.concatenate([old_src, lo, hi])
        entry = np.concatenate([old, hi << _KIND_BITS | pair_codes, lo << _KIND_BITS | pair_codes])
        span = np.int64(n_rows) << _KIND_BITS
        merged = np.sort(src * span + entry)
        src = merged // span
        entries = (merged - src * span).astype(np.int32)
        changed = _sorted_unique(np.concatenate([lo, hi]))
        bounds = np.searchsorted(src, np.stack([changed, changed + 1])) * 4
        raw = memoryview(entries).cast("B")
        for r, start, stop in zip(changed.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
            row_entries: array[int] = array("i")
            row_entries.frombytes(raw[start:stop])
            adj[r] = row_entries
        ties = self._persons.ties
        gained = np.bincount(np.concatenate([lo, hi]), minlength=n_rows)
        ties[:n_rows] += gained.astype(ties.dtype)
        self._csr = None

    def tie_all(self, rows: Iterable[int], kind: str) -> None:
        """Tie every pair among ``rows`` (a household)."""
        rows = list(rows)
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                self.tie(a, b, kind)

    def remove_person(self, row: int, *, emigrated: bool) -> None:
        """Drop ``row``; if they emigrated, each tie counts one more friend who left this year."""
        self.remove_persons(np.array([int(row)], dtype=np.int64), emigrated=emigrated)

    def remove_persons(self, rows: NDArray[np.integer] | Iterable[int], *, emigrated: bool) -> None:
        """Drop every one of ``rows`` (distinct): the same network as :meth:`remove_person` for each in turn.

        Survivors lose one tie, and if ``emigrated`` count one more friend who left, per removed neighbour; the
        tie counts of the removed rows are set to 0. Rows not in the network are skipped.
        """
        rows_arr = np.asarray(rows, dtype=np.int64).ravel()
        n_rows = len(self._adj)
        rows_arr = rows_arr[(rows_arr >= 0) & (rows_arr < n_rows)]
        rows_arr = rows_arr[self._member[rows_arr]]
        if not rows_arr.size:
            return
        adj = self._adj
        rows_list = rows_arr.tolist()
        member = self._member
        member[rows_arr] = False
        friends = np.frombuffer(b"".join([adj[r] for r in rows_list]), dtype=np.int32) >> _KIND_BITS
        # The survivors' entries for the removed rows are left in place (rows are never reused, so they can
        # never match a new tie); every reader skips rows no longer in the network.
        survivors = friends[member[friends]]
        if survivors.size:
            lost = np.bincount(survivors, minlength=n_rows)
            persons = self._persons
            persons.ties[:n_rows] -= lost.astype(persons.ties.dtype)
            if emigrated:
                persons.friends_left[:n_rows] += lost.astype(persons.friends_left.dtype)
        self._persons.ties[rows_arr] = 0
        for r in rows_list:
            adj[r] = _GONE
        self._count -= len(rows_list)
        self._csr = None

    # -- reading -------------------------------------------------------------------------------------------

    def __contains__(self, row: object) -> bool:
        try:
            r = int(row)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False
        return 0 <= r < len(self._adj) and self._adj[r] is not _GONE

    def neighbours(self, row: int) -> list[int]:
        """Ties of ``row``, sorted (sorted so that iteration order never depends on insertion history)."""
        row = int(row)
        self._check_member(row)
        others = np.frombuffer(self._adj[row], dtype=np.int32) >> _KIND_BITS
        result: list[int] = others[self._member[others]].tolist()
        return result

    def neighbours_of(self, rows: NDArray[np.integer] | Iterable[int]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The ties of all of ``rows`` at once, read from the live network: ``(owner, neighbour)`` arrays where
        ``neighbour[i]`` is tied to ``rows[owner[i]]``, grouped by owner in the order of ``rows``.

        >>> owner, neighbour = network.neighbours_of([4, 9])   # doctest: +SKIP
        >>> neighbour[owner == 1]                              # doctest: +SKIP   (the ties of row 9, sorted)
        """
        rows_arr = np.asarray(rows, dtype=np.int64).ravel()
        inside = (rows_arr >= 0) & (rows_arr < len(self._adj))
        if not inside.all() or not self._member[rows_arr].all():
            bad = rows_arr[~inside] if not inside.all() else rows_arr[~self._member[rows_arr]]
            raise KeyError(f"person {int(bad[0])} is not in the network")
        adj = self._adj
        arrays = [adj[r] for r in rows_arr.tolist()]
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        neighbour = (np.frombuffer(b"".join(arrays), dtype=np.int32) >> _KIND_BITS).astype(np.int64)
        owner = np.repeat(np.arange(len(arrays), dtype=np.int64), lengths)
        live = self._member[neighbour]
        return owner[live], neighbour[live]

    def kind(self, a: int, b: int) -> str | None:
        """The kind of the tie between ``a`` and ``b`` (one of :data:`TIE_KINDS`), or None if not tied."""
        a, b = int(a), int(b)
        self._check_member(a)
        if b not in self:
            return None
        na = self._adj[a]
        i = bisect_left(na, b << _KIND_BITS)
        if i < len(na) and na[i] >> _KIND_BITS == b:
            return TIE_KINDS[na[i] & _KIND_MASK]
        return None

    def has_tie(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` are tied."""
        a, b = int(a), int(b)
        if a not in self or b not in self:
            return False
        return self.kind(a, b) is not None

    def number_of_nodes(self) -> int:
        """Number of persons in the network."""
        return self._count

    def number_of_ties(self) -> int:
        """Number of ties (undirected)."""
        return int(self.adjacency()[0][-1]) // 2

    def nodes(self) -> NDArray[np.int64]:
        """Rows of the persons in the network, ascending."""
        return np.flatnonzero(self._member[: len(self._adj)])

    def degree(self, rows: NDArray[np.integer] | Iterable[int]) -> NDArray[np.int64]:
        """Number of ties of each of ``rows`` (``KeyError`` if one is not in the network)."""
        rows_arr = np.asarray(rows, dtype=np.int64).ravel()
        if rows_arr.size:
            inside = (rows_arr >= 0) & (rows_arr < len(self._adj))
            if not inside.all() or not self._member[rows_arr].all():
                bad = rows_arr[~inside] if not inside.all() else rows_arr[~self._member[rows_arr]]
                raise KeyError(f"person {int(bad[0])} is not in the network")
        indptr = self._snapshot()[0]
        return indptr[rows_arr + 1] - indptr[rows_arr]

    def adjacency(self) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
        """A CSR snapshot ``(indptr, indices)`` over person rows ``0 .. n-1`` (n = rows seen so far).

        The neighbours of row ``r`` are ``indices[indptr[r]:indptr[r + 1]]``, ascending; rows not in the network
        have none. The arrays are cached until the next change to the network: do not modify them.
        """
        indptr, indices, _ = self._snapshot()
        return indptr, indices

    def adjacency_kinds(self) -> NDArray[np.int8]:
        """The kind of each entry of :meth:`adjacency`'s ``indices``, as an index into :data:`TIE_KINDS`."""
        return self._snapshot()[2]

    def _snapshot(self) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int8]]:
        if self._csr is None:
            adj = self._adj
            lengths = np.fromiter(map(len, adj), dtype=np.int64, count=len(adj))
            entries = np.frombuffer(b"".join(adj), dtype=np.int32)
            indices = entries >> _KIND_BITS
            live = self._member[indices]  # entries for persons who have left are skipped (see remove_persons)
            indptr = np.zeros(len(adj) + 1, dtype=np.int64)
            np.cumsum(np.bincount(np.repeat(np.arange(len(adj)), lengths)[live], minlength=len(adj)), out=indptr[1:])
            indices = indices[live]
            kinds = (entries[live] & _KIND_MASK).astype(np.int8)
            for arr in (indptr, indices, kinds):
                arr.flags.writeable = False
            self._csr = (indptr, indices, kinds)
        return self._csr

    @property
    def graph(self) -> nx.Graph[int]:
        """A ``networkx.Graph`` of the network: nodes are person rows, edges carry ``kind``.

        A snapshot built on each access (cost grows with the network): changes to it do not reach the model, and
        later changes to the model do not reach it. Keep a reference rather than reading this in a loop.
        """
        indptr, indices, kinds = self._snapshot()
        graph: nx.Graph[int] = nx.Graph()
        graph.add_nodes_from(self.nodes().tolist())
        src = np.repeat(np.arange(indptr.size - 1, dtype=np.int64), np.diff(indptr))
        lower = src < indices
        graph.add_edges_from(
            (a, b, {"kind": TIE_KINDS[k]})
            for a, b, k in zip(src[lower].tolist(), indices[lower].tolist(), kinds[lower].tolist(), strict=True)
        )
        return graph
