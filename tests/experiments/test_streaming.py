"""Results stream to disk as runs finish: flat memory, and the same bytes whatever the completion order."""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Iterator

import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from resilience.experiments import (
    RunStore,
    RunTask,
    read_timeseries,
    sort_timeseries,
    stream_ensemble,
    write_timeseries,
)
from resilience.experiments import store as store_module
from tests.experiments.helpers import small_scenario, tiny_run

STRATEGIES = ["baseline", "other", "no_shock"]
MB = 1024 * 1024


def tasks(replications: int) -> Iterator[RunTask]:
    for strategy in STRATEGIES:
        for replication in range(replications):
            yield RunTask(strategy, replication, seed=1000 + replication)


def frames_of(replications: int) -> list[tuple[RunTask, pd.DataFrame]]:
    scenario = small_scenario()
    return [(task, tiny_run(scenario, task)) for task in tasks(replications)]


@pytest.mark.parametrize("row_group_rows", [store_module.ROW_GROUP_ROWS, 7])
def test_same_bytes_whatever_the_completion_order(tmp_path, monkeypatch, row_group_rows):
    monkeypatch.setattr(store_module, "ROW_GROUP_ROWS", row_group_rows)
    runs = frames_of(12)
    outputs = []
    for attempt in range(3):
        order = runs[:]
        random.Random(attempt).shuffle(order)
        store = RunStore(tmp_path / str(attempt), STRATEGIES)
        for task, frame in order:
            store.add_run(task, frame)
        path = store.finalize()
        assert path is not None and not (tmp_path / str(attempt) / "runs").exists()
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    # The same rows written at once from memory give the same bytes, in strategy, replication, year order.
    expected = sort_timeseries(pd.concat([f for _, f in runs], ignore_index=True), STRATEGIES[:2])
    write_timeseries(tmp_path / "at_once.parquet", expected)
    assert (tmp_path / "at_once.parquet").read_bytes() == outputs[0]
    assert read_timeseries(tmp_path / "0" / "timeseries.parquet").equals(expected)
    meta = pq.ParquetFile(tmp_path / "0" / "timeseries.parquet").metadata
    assert meta.num_rows == len(expected) == 3 * 12 * 3
    assert meta.num_row_groups == -(-meta.num_rows // row_group_rows)
    assert meta.metadata is None or b"pandas" not in meta.metadata


def test_runs_are_ordered_by_number_not_by_name(tmp_path):
    store = RunStore(tmp_path, ["b", "a"])
    scenario = small_scenario()
    for task in [RunTask("a", 2, 1), RunTask("a", 10, 2), RunTask("b", 100, 3), RunTask("b", 9, 4)]:
        store.add_run(task, tiny_run(scenario, task))
    path = store.finalize()
    assert path is not None
    frame = read_timeseries(path)
    assert list(dict.fromkeys(zip(frame["strategy"], frame["replication"], strict=True))) == [
        ("b", 9),
        ("b", 100),
        ("a", 2),
        ("a", 10),
    ]


def test_a_column_missing_from_some_runs_is_null_there(tmp_path):
    scenario = small_scenario()
    store = RunStore(tmp_path, ["baseline"])
    first, second = RunTask("baseline", 0, 1), RunTask("baseline", 1, 2)
    store.add_run(first, tiny_run(scenario, first).assign(extra=1.5))
    store.add_run(second, tiny_run(scenario, second))
    path = store.finalize()
    assert path is not None
    frame = read_timeseries(path)
    assert frame["extra"].iloc[:3].eq(1.5).all() and frame["extra"].iloc[3:].isna().all()


def test_an_unknown_strategy_is_refused(tmp_path):
    store = RunStore(tmp_path, ["baseline"])
    with pytest.raises(ValueError, match="nope"):
        store.add_run(RunTask("nope", 0, 1), pd.DataFrame({"year": [2024]}))


def _memory() -> tuple[int, int, int]:
    """Python heap (traced), Arrow's memory pool and the process's resident set, in bytes."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0], pa.total_allocated_bytes(), psutil.Process().memory_info().rss


def test_memory_stays_flat_while_2000_runs_stream_to_disk(tmp_path, capsys):
    """2 000 small runs streamed to disk: memory after 2 000 runs is no higher than after 200."""
    scenario = small_scenario()
    total, replications = 2001, 667  # 3 strategies × 667 replications
    samples: dict[int, tuple[int, int, int]] = {}
    done = 0

    def on_done(_task: RunTask, ok: bool) -> None:
        nonlocal done
        assert ok
        done += 1
        if done in (200, 2000):
            samples[done] = _memory()

    store = RunStore(tmp_path, STRATEGIES)
    start = time.perf_counter()
    tracemalloc.start()
    try:
        outcome = stream_ensemble(scenario, tasks(replications), sink=store, on_done=on_done, run=tiny_run)
        tracemalloc.reset_peak()
        before_finalize = tracemalloc.get_traced_memory()[0]
        path = store.finalize()
        finalize_peak = tracemalloc.get_traced_memory()[1] - before_finalize
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - start
    assert outcome.done == total and outcome.failed == 0 and outcome.frame is None
    python_growth = samples[2000][0] - samples[200][0]
    arrow_growth = samples[2000][1] - samples[200][1]
    rss_growth = samples[2000][2] - samples[200][2]
    with capsys.disabled():
        print(
            f"\n2 000 streamed runs in {seconds:.1f} s: growth from run 200 to run 2 000: "
            f"Python heap {python_growth / 1024:+.0f} KiB, Arrow pool {arrow_growth / 1024:+.0f} KiB, "
            f"RSS {rss_growth / MB:+.1f} MiB; peak Python heap of writing timeseries.parquet "
            f"{finalize_peak / MB:.1f} MiB"
        )
    assert python_growth < MB // 4
    assert arrow_growth < 1 * MB
    assert rss_growth < 20 * MB
    assert finalize_peak < 16 * MB
    # Every run is in the time series, in order.
    assert path is not None
    frame = read_timeseries(path)
    assert len(frame) == total * 3
    keys = list(dict.fromkeys(zip(frame["strategy"], frame["replication"], strict=True)))
    assert keys == [(s, r) for s in STRATEGIES for r in range(replications)]
    assert not (tmp_path / "runs").exists()


def test_collecting_in_memory_does_grow(capsys):
    """The control of the test above: without a sink the rows accumulate, and the measure sees it."""
    scenario = small_scenario()
    samples: dict[int, int] = {}
    done = 0

    def on_done(_task: RunTask, ok: bool) -> None:
        nonlocal done
        done += 1
        if done in (200, 2000):
            samples[done] = _memory()[0]

    tracemalloc.start()
    try:
        outcome = stream_ensemble(scenario, tasks(667), on_done=on_done, run=tiny_run)
    finally:
        tracemalloc.stop()
    assert outcome.frame is not None and len(outcome.frame) == 2001 * 3
    with capsys.disabled():
        print(f"\n2 000 runs collected in memory: Python heap {(samples[2000] - samples[200]) / MB:+.1f} MiB")
    assert samples[2000] - samples[200] > 2 * MB
