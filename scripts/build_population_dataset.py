"""Build the population dataset bundled with :mod:`resilience.data` from the raw SSB 07459 exports.

Run from anywhere; paths default to the repository layout::

    uv run python scripts/build_population_dataset.py                  # data/ssb_07459 (xz-compressed)
    uv run python scripts/build_population_dataset.py /path/to/ssb_07459

The output is byte-reproducible, so re-running it on unchanged raw data leaves ``git status`` clean; the tests
in ``tests/data`` fail if the shipped files no longer match what this script builds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from resilience.data.build import write_dataset

_REPO_ROOT = Path(__file__).resolve().parent.parent
_DEFAULT_RAW_DIR = _REPO_ROOT / "data" / "ssb_07459"
_DEFAULT_OUT_DIR = _REPO_ROOT / "src" / "resilience" / "data"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build, write, and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "raw_dir",
        nargs="?",
        type=Path,
        default=_DEFAULT_RAW_DIR,
        help=f"directory with the raw *.csv or *.csv.xz exports (default: {_DEFAULT_RAW_DIR})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=_DEFAULT_OUT_DIR,
        help=f"where to write the bundled files (default: {_DEFAULT_OUT_DIR})",
    )
    args = parser.parse_args(argv)
    for path in write_dataset(args.raw_dir, args.out_dir).values():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
