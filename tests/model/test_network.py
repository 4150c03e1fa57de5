"""The social network: ties, removal, degrees mirrored in ``persons.ties``, the snapshots (networkx graph and
CSR) and the vectorised ``tie_many``, checked against a reference networkx graph."""

from __future__ import annotations

from unittest.mock import patch

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.model import MunicipalityModel
from resilience.model.labour import _knows_staff, _seekers, _staff_by_firm
from resilience.model.network import TIE_KINDS, SocialNetwork
from resilience.model.state import PersonTable
from tests.conftest import traena_variant


def network_of(n: int) -> tuple[SocialNetwork, PersonTable]:
    persons = PersonTable(n)
    persons.add(n)
    network = SocialNetwork(persons)
    for row in range(n):
        network.add_person(row)
    return network, persons


def assert_matches(network: SocialNetwork, persons: PersonTable, reference: nx.Graph) -> None:
    """The network holds exactly ``reference``'s nodes and ties (with kinds), and ``ties`` mirrors degrees."""
    nodes = sorted(reference.nodes)
    assert network.nodes().tolist() == nodes
    assert network.number_of_nodes() == len(nodes)
    assert network.number_of_ties() == reference.number_of_edges()
    for row in nodes:
        assert network.neighbours(row) == sorted(reference.adj[row])
        assert row in network
    degrees = network.degree(nodes)
    assert degrees.tolist() == [reference.degree(r) for r in nodes]
    assert (persons.ties[nodes] == degrees).all()
    # The networkx snapshot equals the reference, kinds included.
    graph = network.graph
    assert sorted(graph.nodes) == nodes
    assert {frozenset(e) for e in graph.edges} == {frozenset(e) for e in reference.edges}
    for a, b, kind in reference.edges(data="kind"):
        assert graph.edges[a, b]["kind"] == kind
        assert network.kind(a, b) == kind == network.kind(b, a)
    # The CSR snapshot: every row's neighbours in ascending order, with their kinds.
    indptr, indices = network.adjacency()
    kinds = network.adjacency_kinds()
    assert indptr.size >= max(nodes, default=-1) + 2
    for row in range(indptr.size - 1):
        got = indices[indptr[row] : indptr[row + 1]].tolist()
        assert got == (sorted(reference.adj[row]) if row in reference else [])
        for other, k in zip(got, kinds[indptr[row] : indptr[row + 1]].tolist(), strict=True):
            assert TIE_KINDS[k] == reference.edges[row, other]["kind"]


def test_tie_is_symmetric_counted_once_and_ignores_self_and_repeat_ties():
    network, persons = network_of(4)
    network.tie(0, 1, "kin")
    network.tie(1, 0, "friend")  # already tied: no-op, the kind stays
    network.tie(2, 2, "friend")  # self-tie: no-op
    network.tie(3, 1, "work")
    assert network.neighbours(1) == [0, 3]
    assert network.neighbours(0) == [1]
    assert network.neighbours(2) == []
    assert persons.ties[:4].tolist() == [1, 2, 0, 1]
    assert network.kind(0, 1) == "kin"
    assert network.kind(0, 2) is None
    assert network.has_tie(3, 1) and not network.has_tie(0, 3)


def test_tie_all_ties_every_pair_of_a_household():
    network, persons = network_of(5)
    network.tie_all([4, 1, 2], "household")
    assert network.neighbours(1) == [2, 4]
    assert network.neighbours(4) == [1, 2]
    assert persons.ties[:5].tolist() == [0, 2, 2, 0, 2]


def test_ties_to_persons_outside_the_network_are_refused():
    network, _ = network_of(3)
    network.remove_person(2, emigrated=False)
    with pytest.raises(KeyError):
        network.tie(0, 2, "friend")
    with pytest.raises(KeyError):
        network.tie(0, 7, "friend")
    with pytest.raises(KeyError):
        network.tie_many(np.array([0, 1]), np.array([1, 2]), "friend")
    assert network.neighbours(0) == []  # refused before any tie was made
    with pytest.raises(ValueError, match="kind"):
        network.tie(0, 1, "enemy")


def test_remove_person_updates_neighbours_ties_and_friends_left():
    network, persons = network_of(4)
    network.tie_all([0, 1, 2], "household")
    network.tie(2, 3, "friend")
    network.remove_person(2, emigrated=True)
    assert 2 not in network
    assert network.nodes().tolist() == [0, 1, 3]
    assert network.neighbours(0) == [1]
    assert network.neighbours(3) == []
    assert persons.ties[:4].tolist() == [1, 1, 0, 0]  # row 2 left: no ties
    assert persons.friends_left[:4].tolist() == [1, 1, 0, 1]
    network.remove_person(1, emigrated=False)  # a death: nobody counts a friend who left
    assert persons.friends_left[:4].tolist() == [1, 1, 0, 1]
    assert persons.ties[0] == 0
    network.remove_person(1, emigrated=True)  # already gone: no-op
    assert persons.friends_left[0] == 1
    with pytest.raises(KeyError):
        network.neighbours(1)


def test_tie_many_equals_pairwise_ties_in_order():
    a = np.array([0, 1, 1, 2, 3, 3, 0, 4])
    b = np.array([1, 0, 1, 3, 2, 4, 4, 0])
    one, persons_one = network_of(5)
    many, persons_many = network_of(5)
    one.tie(0, 1, "kin")
    many.tie(0, 1, "kin")
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        one.tie(x, y, "friend")
    many.tie_many(a, b, "friend")
    for row in range(5):
        assert many.neighbours(row) == one.neighbours(row)
    assert (persons_many.ties[:5] == persons_one.ties[:5]).all()
    assert many.kind(0, 1) == "kin"  # the earlier tie keeps its kind


@pytest.mark.parametrize("pairs", [30, 5000])  # the one-by-one and the bulk path
def test_tie_many_matches_the_reference_graph(pairs):
    rng = np.random.default_rng(pairs)
    n = 400
    network, persons = network_of(n)
    reference = nx.Graph()
    reference.add_nodes_from(range(n))
    for _ in range(2):
        live = np.array(sorted(reference.nodes))
        a = rng.choice(live, pairs)
        b = rng.choice(live, pairs)
        kind = TIE_KINDS[int(rng.integers(len(TIE_KINDS)))]
        network.tie_many(a, b, kind)
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x != y and not reference.has_edge(x, y):
                reference.add_edge(x, y, kind=kind)
        for gone in rng.choice(n, size=5, replace=False).tolist():
            if gone in reference:
                network.remove_person(gone, emigrated=True)
                reference.remove_node(gone)
    assert_matches(network, persons, reference)


def test_adjacency_is_cached_until_the_next_change():
    network, _ = network_of(3)
    network.tie(0, 1, "kin")
    first = network.adjacency()
    assert all(x is y for x, y in zip(network.adjacency(), first, strict=True))
    assert not first[1].flags.writeable
    network.tie(1, 2, "kin")
    second = network.adjacency()
    assert second is not first
    assert first[1].tolist() == [1, 0]  # an old snapshot does not change
    assert second[0].tolist() == [0, 1, 3, 4]
    assert second[1].tolist() == [1, 0, 2, 1]


def test_graph_is_a_snapshot():
    network, _ = network_of(3)
    network.tie(0, 1, "work")
    graph = network.graph
    graph.add_edge(1, 2)
    assert network.neighbours(1) == [0]
    network.tie(0, 2, "friend")
    assert not graph.has_edge(0, 2)
    assert network.graph.edges[0, 2]["kind"] == "friend"


def test_network_survives_pickling():
    import pickle

    network, _ = network_of(4)
    network.tie_all([0, 1, 3], "household")
    network.remove_person(1, emigrated=False)
    copy = pickle.loads(pickle.dumps(network))
    assert 1 not in copy
    with pytest.raises(KeyError):
        copy.tie(0, 1, "friend")
    assert copy.neighbours(0) == [3]


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 30)),
        st.tuples(st.just("tie"), st.integers(0, 30), st.integers(0, 30), st.sampled_from(TIE_KINDS)),
        st.tuples(
            st.just("tie_many"),
            st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=40),
            st.sampled_from(TIE_KINDS),
        ),
        st.tuples(st.just("remove"), st.integers(0, 30), st.booleans()),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(ops=operations, bulk=st.booleans())
def test_any_sequence_of_operations_matches_a_networkx_reference(ops, bulk):
    # ``bulk``: tie_many merges every batch with numpy, or ties pair by pair.
    with patch("resilience.model.network._BULK_PAIRS", 1 if bulk else 10**9):
        check_operations(ops)


def check_operations(ops):
    persons = PersonTable(31)
    persons.add(31)
    network = SocialNetwork(persons)
    reference: nx.Graph = nx.Graph()
    gone: set[int] = set()  # rows are never reused
    friends_left = np.zeros(31, dtype=np.int64)
    for op in ops:
        if op[0] == "add":
            row = op[1]
            if row in gone:
                continue
            network.add_person(row)
            reference.add_node(row)
        elif op[0] in ("tie", "tie_many"):
            pairs = [(op[1], op[2])] if op[0] == "tie" else op[1]
            kind = op[-1]
            valid = all(x == y or (x in reference and y in reference) for x, y in pairs)
            if not valid:
                with pytest.raises(KeyError):
                    if op[0] == "tie":
                        network.tie(op[1], op[2], kind)
                    else:
                        network.tie_many(np.array([x for x, _ in pairs]), np.array([y for _, y in pairs]), kind)
                continue
            if op[0] == "tie":
                network.tie(op[1], op[2], kind)
            else:
                network.tie_many(
                    np.array([x for x, _ in pairs], dtype=np.int64),
                    np.array([y for _, y in pairs], dtype=np.int64),
                    kind,
                )
            for x, y in pairs:
                if x != y and not reference.has_edge(x, y):
                    reference.add_edge(x, y, kind=kind)
        else:
            _, row, emigrated = op
            network.remove_person(row, emigrated=emigrated)
            if row in reference:
                if emigrated:
                    for friend in reference.adj[row]:
                        friends_left[friend] += 1
                reference.remove_node(row)
                gone.add(row)
    if reference.number_of_nodes():
        assert_matches(network, persons, reference)
    live = sorted(reference.nodes)
    assert (persons.friends_left[live] == friends_left[live]).all()


def test_hiring_tie_lookup_equals_the_per_seeker_check():
    """The vectorised "knows someone on the staff" of hiring is the per-seeker scan of the network."""
    model = MunicipalityModel(traena_variant(horizon=2030), seed=3)
    model.step()
    seekers = _seekers(model)
    staff = _staff_by_firm(model)
    ties = model.network.neighbours_of(seekers)
    assert seekers.size
    checked = 0
    for colleagues in staff:
        if not colleagues.size:
            continue
        expected = [any(n in set(colleagues.tolist()) for n in model.network.neighbours(s)) for s in seekers.tolist()]
        assert _knows_staff(model, ties, seekers.size, colleagues).tolist() == expected
        checked += sum(expected)
    assert checked  # some seekers do know someone at a firm
