"""What a directory holds, to show that a command left someone's files exactly as they were."""

from __future__ import annotations

import os
from pathlib import Path


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every entry under ``directory`` with its bytes, its link target (``-> target``) or ``""`` for a folder or
    a special file, without following links or opening anything but regular files."""
    found: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(directory, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            key = str(path.relative_to(directory))
            if path.is_symlink():
                found[key] = f"-> {os.readlink(path)}"
            else:
                found[key] = path.read_bytes() if path.is_file() else ""
    return found
