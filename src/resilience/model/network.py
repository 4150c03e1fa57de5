"""The social network: kin, household, workplace and friendship ties between residents (networkx).

Nodes are person rows. The number of ties of each person is mirrored in ``persons.ties`` and updated
incrementally, so the yearly migration hazard reads it for everyone at once without scanning the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np

from resilience.model.state import PersonTable

__all__ = ["TIE_KINDS", "SocialNetwork"]

TIE_KINDS = ("household", "kin", "work", "friend")


class SocialNetwork:
    """A networkx graph of residents that keeps ``persons.ties`` equal to each node's degree."""

    def __init__(self, persons: PersonTable) -> None:
        self.graph: nx.Graph[int] = nx.Graph()
        self._persons = persons

    def add_person(self, row: int) -> None:
        self.graph.add_node(row)

    def tie(self, a: int, b: int, kind: str) -> None:
        """Tie ``a`` and ``b`` (no-op if already tied or the same person)."""
        if a == b or self.graph.has_edge(a, b):
            return
        self.graph.add_edge(a, b, kind=kind)
        self._persons.ties[a] += 1
        self._persons.ties[b] += 1

    def tie_all(self, rows: Iterable[int], kind: str) -> None:
        """Tie every pair among ``rows`` (a household)."""
        rows = list(rows)
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                self.tie(a, b, kind)

    def neighbours(self, row: int) -> list[int]:
        """Ties of ``row``, sorted (sorted so that iteration order never depends on insertion history)."""
        return sorted(self.graph.adj[row])

    def remove_person(self, row: int, *, emigrated: bool) -> None:
        """Drop ``row``; if they emigrated, each tie counts one more friend who left this year."""
        if row not in self.graph:
            return
        friends = np.fromiter(self.graph.adj[row], dtype=np.int64)
        if friends.size:
            self._persons.ties[friends] -= 1
            if emigrated:
                self._persons.friends_left[friends] += 1
        self.graph.remove_node(row)
