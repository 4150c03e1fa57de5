"""Checksums of the data files: damaged copies are refused with a message that says how to restore them.

The bundled files are never modified here: each test copies them into a temporary directory and points
``$RESILIENCE_DATA_DIR`` at it (the loaders cache per directory, so every test reads its own copy afresh).
"""

from __future__ import annotations

import doctest
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import TRAENA
from tests.data.test_ssb_client import FakeOpener, client_for, route_small_country

from resilience.cli import main
from resilience.data import (
    DATA_DIR_ENV,
    DataIntegrityError,
    data_dir,
    integrity,
    municipalities,
    municipality_population,
    population_series,
    refresh_population,
    verify_data,
)
from resilience.data import population as population_module
from resilience.data.build import MUNICIPALITIES_FILE, POPULATION_FILE
from resilience.data.integrity import MANIFEST_FILE, bundled_data_dir, manifest_bytes, replace_files

SIZE = (bundled_data_dir() / POPULATION_FILE).stat().st_size
RESTORE_BUNDLED = ("uv sync --reinstall-package resilience", "pip install --force-reinstall resilience")


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled data directory (files and manifest), in use through ``$RESILIENCE_DATA_DIR``."""
    directory = tmp_path / "data"
    directory.mkdir()
    for name in (POPULATION_FILE, MUNICIPALITIES_FILE, MANIFEST_FILE):
        shutil.copyfile(bundled_data_dir() / name, directory / name)
    monkeypatch.setenv(DATA_DIR_ENV, str(directory))
    return directory


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


# --- the bundled data and the manifest shipped with it --------------------------------------------------------


def test_the_bundled_files_match_their_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert data_dir() == bundled_data_dir()
    assert [path.name for path in verify_data()] == [MUNICIPALITIES_FILE, POPULATION_FILE]
    shipped = json.loads((bundled_data_dir() / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert shipped["files"][POPULATION_FILE]["size"] == SIZE
    assert "incoming" not in shipped  # no refresh was left half done in the package


def test_the_loaders_read_the_directory_in_use(copy: Path) -> None:
    """Pointing $RESILIENCE_DATA_DIR at a copy with one name changed (and its manifest updated) shows the change."""
    names = (copy / MUNICIPALITIES_FILE).read_text(encoding="utf-8").replace('"Træna"', '"Træna (kopi)"')
    contents = {POPULATION_FILE: (copy / POPULATION_FILE).read_bytes(), MUNICIPALITIES_FILE: names.encode()}
    (copy / MUNICIPALITIES_FILE).write_bytes(contents[MUNICIPALITIES_FILE])
    (copy / MANIFEST_FILE).write_bytes(manifest_bytes(contents))

    traena = municipality_population("1835", 2024)
    assert (traena.name, traena.total) == ("Træna (kopi)", 442)


def test_each_file_is_read_and_checked_once_per_process(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = population_module.verified_bytes

    def counting(name: str, directory: Path | None = None) -> bytes:
        checked.append(name)
        return real(name, directory)

    monkeypatch.setattr(population_module, "verified_bytes", counting)
    municipality_population("1835", 2024)
    municipality_population("1804", 2024)
    municipality_population("1835", 2013)  # the whole table, indexed: the same bytes, not read again
    population_series("1835")
    municipalities(2024)
    assert sorted(checked) == [MUNICIPALITIES_FILE, POPULATION_FILE]


# --- damaged files ------------------------------------------------------------------------------------------


def test_a_truncated_population_file_is_refused(copy: Path) -> None:
    truncate(copy / POPULATION_FILE)
    with pytest.raises(DataIntegrityError) as info:
        municipality_population("1835", 2024)
    message = str(info.value)
    assert message.startswith(f"{copy / POPULATION_FILE}: truncated: {SIZE // 2} bytes, expected {SIZE};")
    assert "resilience ssb refresh-population" in message and f"unset {DATA_DIR_ENV}" in message
    assert info.value.path == copy / POPULATION_FILE
    assert "\n" not in message


def test_a_corrupted_population_file_is_refused(copy: Path) -> None:
    flip_a_byte(copy / POPULATION_FILE)
    with pytest.raises(DataIntegrityError, match=r"corrupted: its SHA-256 is [0-9a-f]{16}…, expected 1f4ad73c"):
        municipality_population("1835", 2024)


def test_a_corrupted_names_file_is_refused(copy: Path) -> None:
    flip_a_byte(copy / MUNICIPALITIES_FILE)
    with pytest.raises(DataIntegrityError, match=f"{MUNICIPALITIES_FILE}: corrupted"):
        municipality_population("1835", 2024)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda d: (d / MANIFEST_FILE).unlink(), "checksums.json: missing"),
        (lambda d: (d / MANIFEST_FILE).write_text("{", encoding="utf-8"), "not a valid checksum manifest"),
        (lambda d: (d / POPULATION_FILE).unlink(), f"{POPULATION_FILE}: missing"),
        (lambda d: (d / POPULATION_FILE).write_bytes(b"x" * (SIZE + 3)), f"{SIZE + 3} bytes, expected {SIZE}"),
    ],
    ids=["no-manifest", "bad-manifest", "no-file", "longer"],
)
def test_other_damage_is_named(copy: Path, damage, words: str) -> None:
    damage(copy)
    with pytest.raises(DataIntegrityError, match=words):
        verify_data()


def test_the_bundled_directory_says_to_reinstall(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Damage in the package's own directory: the advice is to reinstall (or refresh), not to unset a variable."""
    monkeypatch.delenv(DATA_DIR_ENV)
    monkeypatch.setattr(integrity, "bundled_data_dir", lambda: copy)
    truncate(copy / POPULATION_FILE)
    with pytest.raises(DataIntegrityError) as info:
        municipality_population("1835", 2024)
    message = str(info.value)
    assert all(command in message for command in RESTORE_BUNDLED)
    assert "resilience ssb refresh-population" in message and DATA_DIR_ENV not in message


# --- the command line ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["validate", str(TRAENA)], ["init", "--kommune", "1835"]], ids=["validate", "init"]
)
def test_cli_says_it_in_one_line_and_exits_2(copy: Path, command: list[str]) -> None:
    truncate(copy / POPULATION_FILE)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"error: {copy / POPULATION_FILE}: truncated:")


def test_cli_run_stops_before_any_run(copy: Path, tmp_path: Path) -> None:
    flip_a_byte(copy / MUNICIPALITIES_FILE)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(TRAENA), "--out", str(out), "--executor", "sequential"])
    assert result.exit_code == 2, result.output
    assert f"{MUNICIPALITIES_FILE}: corrupted" in result.stderr and "Traceback" not in result.output
    assert not out.exists()


# --- writing files and manifest together --------------------------------------------------------------------


def test_a_refresh_writes_a_manifest_that_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = client_for(FakeOpener(route_small_country))
    target = refresh_population(client, tmp_path / POPULATION_FILE, min_municipalities=2)
    assert [path.name for path in verify_data(tmp_path)] == [MUNICIPALITIES_FILE, POPULATION_FILE]
    assert sorted(path.name for path in tmp_path.iterdir()) == [MANIFEST_FILE, MUNICIPALITIES_FILE, target.name]
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert municipality_population("1836", 2024).name == "Rødøy"
    assert municipality_population("1835", 2024).total == 442


def test_a_refresh_defaults_to_the_directory_in_use(copy: Path) -> None:
    client, _ = client_for(FakeOpener(route_small_country))
    assert refresh_population(client, min_municipalities=2) == copy / POPULATION_FILE
    verify_data(copy)
    assert municipality_population("1835", 2024).total == 442
    assert (bundled_data_dir() / POPULATION_FILE).stat().st_size == SIZE


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4], ids=["first-manifest", "first-file", "second-file", "manifest"])
def test_a_crash_while_replacing_never_condemns_the_files_on_disk(
    copy: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int
) -> None:
    """Whichever write a crash interrupts, each file on disk is the old or the new one, and the manifest accepts it."""
    old = {name: (copy / name).read_bytes() for name in (POPULATION_FILE, MUNICIPALITIES_FILE)}
    new = {POPULATION_FILE: old[POPULATION_FILE][:-1] + b"!", MUNICIPALITIES_FILE: b'{"municipalities": []}\n'}
    calls = 0
    real = integrity.write_atomically

    def crashing(path: Path, content: bytes) -> Path:
        nonlocal calls
        calls += 1
        if calls == crash_at:
            raise KeyboardInterrupt("power cut")
        return real(path, content)

    monkeypatch.setattr(integrity, "write_atomically", crashing)
    with pytest.raises(KeyboardInterrupt):
        replace_files(copy, new)
    for name in old:
        assert (copy / name).read_bytes() in (old[name], new[name])
    verify_data(copy)

    monkeypatch.setattr(integrity, "write_atomically", real)
    replace_files(copy, new)  # the replacement done again after the crash
    assert {name: (copy / name).read_bytes() for name in new} == new
    assert verify_data(copy) and "incoming" not in json.loads((copy / MANIFEST_FILE).read_text(encoding="utf-8"))
    (copy / POPULATION_FILE).write_bytes(old[POPULATION_FILE])  # and the old version is no longer accepted
    with pytest.raises(DataIntegrityError, match="corrupted"):
        verify_data(copy)


def test_docstring_examples() -> None:
    result = doctest.testmod(integrity, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_a_refresh_between_reading_the_manifest_and_the_file_is_no_error(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process replaced manifest and file after this one read the manifest: the file is still good."""
    real = integrity._read_manifest
    stale = [real(copy)]
    changed = (copy / POPULATION_FILE).read_bytes()[:-1] + b"!"
    replace_files(copy, {POPULATION_FILE: changed})
    monkeypatch.setattr(integrity, "_read_manifest", lambda directory: stale.pop() if stale else real(directory))
    assert integrity.verified_bytes(POPULATION_FILE, copy) == changed
