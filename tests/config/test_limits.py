"""Limits that keep a bad file from exhausting the machine: file size, nesting, aliases, and results memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from resilience.config import (
    BYTES_PER_ROW,
    ScenarioError,
    ensemble_memory_bytes,
    load_scenario,
    machine_memory_bytes,
    parse_scenario,
)
from resilience.config._limits import result_rows
from resilience.config._yaml import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
TRAENA = ROOT / "scenarios" / "traena.yaml"


def traena_with(replications: int) -> str:
    return TRAENA.read_text(encoding="utf-8").replace("replications: 20 ", f"replications: {replications} ")


# --------------------------------------------------------------------------
# Memory of the results
# --------------------------------------------------------------------------


def test_an_ensemble_too_large_for_the_memory_is_refused_with_the_estimate() -> None:
    # Træna: 6 strategies and the no-shock reference, 2024-2050 (27 years).
    rows = result_rows(7, 100_000, 27)
    need = ensemble_memory_bytes(rows)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(traena_with(100_000), "t.yaml", memory_bytes=need - 1)
    (problem,) = info.value.problems
    assert problem.path == "run.replications"
    lines = TRAENA.read_text(encoding="utf-8").splitlines()
    assert problem.line == next(n for n, line in enumerate(lines, 1) if line.strip().startswith("replications:"))
    assert f"about {need / 1e9:.1f} GB of memory" in problem.message
    assert f"more than this machine's {(need - 1) / 1e9:.1f} GB" in problem.message
    assert "7 strategies × 100000 replications × 27 years" in problem.message
    assert "omtrent" in problem.render("nb")
    # Exactly the memory needed is enough.
    assert parse_scenario(traena_with(100_000), "t.yaml", memory_bytes=need).run.replications == 100_000


def test_the_suggested_replications_fit() -> None:
    memory = 2_000_000_000
    with pytest.raises(ScenarioError) as info:
        parse_scenario(traena_with(100_000), "t.yaml", memory_bytes=memory)
    fitting = int(info.value.problems[0].message.rsplit("use at most ", 1)[1].split()[0])
    assert parse_scenario(traena_with(fitting), "t.yaml", memory_bytes=memory).run.replications == fitting
    with pytest.raises(ScenarioError):
        parse_scenario(traena_with(fitting + 1), "t.yaml", memory_bytes=memory)


def test_a_scenario_without_shocks_has_no_reference_run() -> None:
    text = traena_with(100_000).replace(
        "shocks:\n  - type: closure\n    employer: Fiskeindustri\n    year: 2026\n", "shocks: []\n"
    )
    with pytest.raises(ScenarioError, match="6 strategies × 100000"):
        parse_scenario(text, "t.yaml", memory_bytes=1_000_000_000)


def test_this_machine_s_memory_is_the_default() -> None:
    memory = machine_memory_bytes()
    assert memory is not None and memory > 100_000_000
    assert parse_scenario(traena_with(20), "t.yaml").run.replications == 20
    with pytest.raises(ScenarioError, match="more than this machine's"):
        parse_scenario(traena_with(100_000).replace("horizon: 2050", "horizon: 2200"), "t.yaml", memory_bytes=10**9)


COPY_SCRIPT = """
import sys
import pandas as pd
from resilience.experiments import read_timeseries
small = read_timeseries(sys.argv[1])
copies = []
for k in range(int(sys.argv[3])):
    copy = small.copy()
    copy["replication"] += k * (small["replication"].max() + 1)
    copies.append(copy)
pd.concat(copies, ignore_index=True).to_parquet(sys.argv[2], index=False)
"""

# In a fresh process, so that the high-water mark before reading is the interpreter's, not the copying's.
# VmHWM (peak resident memory) rather than ru_maxrss, which a child inherits from the forking test process.
PEAK_SCRIPT = """
import sys
from resilience.analysis import compare, summarise
from resilience.experiments import read_timeseries
def high_water():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
before = high_water()
frame = read_timeseries(sys.argv[1])
summarise(frame, shock_year=2026)
compare(frame, shock_year=2026)
print(len(frame), frame.memory_usage(deep=True).sum(), high_water() - before)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from Linux's /proc")
def test_the_estimate_is_measured_on_a_real_run(tmp_path: Path) -> None:
    from resilience.workflow import run_scenario

    scenario = load_scenario(TRAENA)
    out = run_scenario(scenario, tmp_path / "out", replications=2, executor="sequential")
    strategies = len(scenario.strategies) + 1  # and the no-shock reference
    # Enough copies of the real rows (with distinct replications) that the peak is the frame's, not the fixed
    # overheads of reading and grouping (at 150 000 rows they add 25-50 %; at 378 000 rows the peak is steady).
    copies = 1000
    big = tmp_path / "big.parquet"
    run = [sys.executable, "-c"]
    subprocess.run([*run, COPY_SCRIPT, str(out / "timeseries.parquet"), str(big), str(copies)], timeout=600, check=True)
    done = subprocess.run([*run, PEAK_SCRIPT, str(big)], capture_output=True, text=True, timeout=600, check=True)
    rows, frame_bytes, peak_bytes = (int(float(x)) for x in done.stdout.split())
    assert rows == result_rows(strategies, 2 * copies, 2050 - 2024 + 1)
    assert 0.85 * BYTES_PER_ROW <= frame_bytes / rows <= 1.1 * BYTES_PER_ROW, frame_bytes / rows
    # Honest both ways: the estimate covers the measured peak without being far above it.
    estimate = ensemble_memory_bytes(rows)
    assert 0.7 * estimate <= peak_bytes <= 1.15 * estimate, (peak_bytes / rows, estimate / rows)


# --------------------------------------------------------------------------
# Size and shape of the file
# --------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = traena_with(20) + "# " + "x" * 3_000_000 + "\n"
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.line is None
    assert str(problem) == (
        f"{path}: (root): the file is {size / 1e6:.1f} MB, more than the 1.0 MB a scenario file may have "
        "(a scenario is a few kilobytes); is this the right file?"
    )
    assert problem.render("nb").endswith("er dette riktig fil?")
    with pytest.raises(ScenarioError, match=f"the file is {size / 1e6:.1f} MB"):
        parse_scenario(text, "big.yaml")


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    text = traena_with(20)
    text += "#" * (MAX_FILE_BYTES - len(text.encode("utf-8")) - 1) + "\n"
    path = tmp_path / "just.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_scenario(path).run.replications == 20


HOSTILE = {
    "deep_flow": "'a: ' + '[' * 400_000 + ']' * 400_000",
    "deep_mapping": "'a: ' + '{a: ' * 190_000 + '1' + '}' * 190_000",
    "deep_block": "''.join(' ' * i + 'k:\\n' for i in range(1_400))",
    "alias_bomb": "'a: &a [x,x,x,x,x,x,x,x,x]\\n' + ''.join("
    "f'{chr(98 + i)}: &{chr(98 + i)} [' + ','.join([f'*{chr(97 + i)}'] * 9) + ']\\n' for i in range(12))",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_are_refused_quickly(name: str) -> None:
    # In a child process with a generous timeout: a hang fails the test instead of blocking the suite.
    code = (
        "from resilience.config import ScenarioError, parse_scenario\n"
        f"text = {HOSTILE[name]}\n"
        "assert len(text.encode()) <= 1_000_000, len(text)\n"
        "try:\n"
        "    parse_scenario(text, 'x.yaml')\n"
        "except ScenarioError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("x.yaml:1: (root): ")
    assert "nested too deeply" in done.stdout or "expands to more than 100000 values" in done.stdout


# --------------------------------------------------------------------------
# Inputs that never end: only a regular file is read
# --------------------------------------------------------------------------

NOT_A_FILE = "{path}: (root): is {what}, not a file: give the path of a scenario file"
IKKE_EN_FIL = "{path}: (root): er {what}, ikke en fil: oppgi stien til en scenariofil"

#: Loads argv[1] and prints the problem in English and bokmål; with argv[2], os.stat answers for argv[1] as for
#: that regular file, as if the path were replaced by a pipe between the check and the opening.
LOAD_IN_A_CHILD = """\
import os, sys
from resilience.config import ScenarioError, load_scenario
if len(sys.argv) > 2:
    regular, real_stat = os.stat(sys.argv[2]), os.stat
    os.stat = lambda p, *a, **k: regular if os.fspath(p) == sys.argv[1] else real_stat(p, *a, **k)
try:
    load_scenario(sys.argv[1])
except ScenarioError as error:
    print(error)
    print(error.render("nb"))
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes (os.mkfifo) exist only on Unix")
@pytest.mark.parametrize("replaced", [False, True], ids=["checked_before_opening", "replaced_after_the_check"])
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, replaced: bool) -> None:
    # Nothing ever writes to this pipe: opening it to read would wait forever. In a child process with a timeout,
    # so that a hang fails the test instead of blocking the suite.
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    regular = [str(TRAENA)] if replaced else []
    args = [sys.executable, "-c", LOAD_IN_A_CHILD, str(fifo), *regular]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        NOT_A_FILE.format(path=fifo, what="a named pipe (FIFO)"),
        IKKE_EN_FIL.format(path=fifo, what="et navngitt rør (FIFO)"),
    ]


def _block_device() -> Path | None:
    dev = Path("/dev")
    return next((p for p in sorted(dev.iterdir()) if p.is_block_device()), None) if dev.is_dir() else None


@pytest.mark.parametrize(
    ("device", "what", "hva"),
    [
        ("/dev/zero", "a character device", "en tegnenhet"),  # never ends
        ("/dev/urandom", "a character device", "en tegnenhet"),
        ("/dev/null", "a character device", "en tegnenhet"),  # empty, but not a scenario file either
        (_block_device(), "a block device", "en blokkenhet"),
    ],
    ids=["zero", "urandom", "null", "block"],
)
def test_a_device_is_refused_without_being_read(device: str | Path | None, what: str, hva: str) -> None:
    if device is None or not Path(device).exists():
        pytest.skip(f"this machine has no {what} to try")
    with pytest.raises(ScenarioError) as info:
        load_scenario(device)
    (problem,) = info.value.problems
    assert str(problem) == NOT_A_FILE.format(path=device, what=what)
    assert problem.render("nb", strict=True) == IKKE_EN_FIL.format(path=device, what=hva)


def test_a_link_to_a_device_is_refused_under_the_name_given(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("this machine has no /dev/zero")
    link = tmp_path / "scenario.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(ScenarioError, match="^" + re.escape(NOT_A_FILE.format(path=link, what="a character device"))):
        load_scenario(link)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    (problem,) = info.value.problems
    assert str(problem) == NOT_A_FILE.format(path=tmp_path, what="a directory")
    assert problem.render("nb", strict=True) == IKKE_EN_FIL.format(path=tmp_path, what="en mappe")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets exist only on Unix")
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
    (problem,) = info.value.problems
    assert str(problem) == NOT_A_FILE.format(path=path, what="a socket")
    assert problem.render("nb", strict=True) == IKKE_EN_FIL.format(path=path, what="en sokkel")
