"""Solara's browser assets, kept on this machine so the explorer never loads anything from a CDN.

Solara's page loads its Vue app, require.js and Font Awesome from ``/_solara/cdn/…``, which the Solara server
answers from a cache directory and, for a file it lacks, by fetching it from a public CDN. The explorer points
that cache at :func:`assets_dir` and refuses every fetch (:mod:`resilience.explore._server`), so the page works
offline once the three npm packages are in the cache. :func:`fetch_assets` puts them there, once, from the
npm registry over HTTPS, checked against the registry's checksums (``resilience explore SCENARIO --fetch-assets``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.request
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = [
    "OTHER_PACKAGES",
    "VUE2_APP",
    "VUE3_APP",
    "AssetsError",
    "asset_packages",
    "assets_dir",
    "fetch_assets",
    "missing_assets",
]

#: The npm packages (name, version, a file that must be there) that Solara's page loads through its CDN proxy
#: (``solara/server/templates/solara.html.j2`` and Solara's ``fontawesome_path`` setting; a test checks that
#: the installed Solara still asks for these versions). The Vue app is the Vue 3 one with ipyvue 3, else Vue 2.
VUE3_APP = ("@widgetti/solara-vuetify3-app", "5.2.0", "dist/fonts.css")
VUE2_APP = ("@widgetti/solara-vuetify-app", "10.1.1", "dist/fonts.css")
OTHER_PACKAGES: tuple[tuple[str, str, str], ...] = (
    ("requirejs", "2.3.6", "require.js"),
    ("font-awesome", "4.5.0", "css/font-awesome.min.css"),
)


def asset_packages() -> tuple[tuple[str, str, str], ...]:
    """The packages this installation's Solara page loads (its Vue app follows ipyvue's major version)."""
    try:
        vue3 = version("ipyvue").startswith("3")
    except PackageNotFoundError:
        vue3 = True
    return ((VUE3_APP if vue3 else VUE2_APP), *OTHER_PACKAGES)


#: Environment variable naming the cache directory (default: the user's cache, ``resilience/solara-assets``).
ASSETS_ENV = "RESILIENCE_EXPLORE_ASSETS"


class AssetsError(RuntimeError):
    """The assets are missing and could not be fetched."""


def assets_dir() -> Path:
    """Where the explorer keeps Solara's assets: ``$RESILIENCE_EXPLORE_ASSETS``, else
    ``$XDG_CACHE_HOME/resilience/solara-assets`` (``~/.cache/…``)."""
    if os.environ.get(ASSETS_ENV):
        return Path(os.environ[ASSETS_ENV])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "resilience" / "solara-assets"


def missing_assets(directory: Path | None = None) -> list[str]:
    """The packages (``name@version``) not in ``directory`` (default :func:`assets_dir`)."""
    root = assets_dir() if directory is None else directory
    return [
        f"{name}@{release}"
        for name, release, probe in asset_packages()
        if not (root / f"{name}@{release}" / probe).is_file()
    ]


#: The npm registry (a package registry, reachable where PyPI is); ``RESILIENCE_NPM_REGISTRY`` overrides it.
REGISTRY = os.environ.get("RESILIENCE_NPM_REGISTRY", "https://registry.npmjs.org")


def _download(url: str, *, timeout: float = 120) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data: bytes = response.read()
        return data


def fetch_assets(directory: Path | None = None) -> Path:
    """Put the missing packages into ``directory`` (default :func:`assets_dir`) from the npm registry; returns
    the directory. Each tarball is checked against the registry's ``sha512`` integrity before it is unpacked.
    No Node.js needed. Raises :class:`AssetsError` when a download fails or does not match."""
    root = assets_dir() if directory is None else directory
    absent = set(missing_assets(root))
    missing = [(name, release) for name, release, _ in asset_packages() if f"{name}@{release}" in absent]
    if not missing:
        return root
    root.mkdir(parents=True, exist_ok=True)
    for name, release in missing:
        spec = f"{name}@{release}"
        try:
            meta = json.loads(_download(f"{REGISTRY}/{name}/{release}"))
            tarball = _download(meta["dist"]["tarball"])
        except (OSError, ValueError, KeyError) as error:
            raise AssetsError(f"could not fetch {spec} from {REGISTRY}: {error}") from error
        integrity = str(meta["dist"].get("integrity", ""))
        if integrity.startswith("sha512-"):
            digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
            if digest != integrity.removeprefix("sha512-"):
                raise AssetsError(f"{spec}: the downloaded archive does not match the registry's checksum")
        staging = Path(tempfile.mkdtemp(dir=root, prefix=".staging-"))
        try:
            with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
                tar.extractall(staging, filter="data")
            target = root / spec
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            (staging / "package").rename(target)  # atomic: a half-unpacked package never looks complete
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return root
