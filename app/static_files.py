"""The browser files the app serves: which they are, their versioned URLs, their gzip.

Only the files the package ships to browsers are served (:data:`SHIPPED`, the globs of
the package data in ``pyproject.toml``); the fetch script and checksums beside the
vendored bundles are not. A file's URL carries its folder's version, a hash of every
shipped file in that folder (``/static/<version>/js/main.js``): the ES modules import
each other by relative URLs, so a module and all it imports share one version and
change together, and a release changes the URLs of the folders it changed only (the
3 MB of plotly.js stays cached across releases that leave it alone). Every template
and the page take their URLs from :func:`static_url`.

A file is gzipped once, at level 9, the first time a client asks for it, and kept in
memory (about 1.2 MB for all of them). Not at build time: there is no build step, the
package's files stay the checksummed ones, and an installed package may be read-only.
A file changed on disk (a checkout being edited) is hashed and compressed again, and
its folder's version follows within a second.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from gradtrail.app.assets import PLOTLY_BUNDLES, STATIC

# KaTeX's stylesheet finds its fonts at fonts/ beside it: the one subfolder served.
SHIPPED = {
    "js": ("*.js",),
    "css": ("*.css",),
    "vendor": ("*.js", "*.txt", "*.css", "fonts/*.woff2"),
}
MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
    ".woff2": "font/woff2",
}
VERSION_LENGTH = 16  # hex digits of a folder's hash in its URLs

_digests: dict[Path, tuple[tuple[int, int], str]] = {}  # path -> (mtime and size, sha256)
_gzipped: dict[Path, tuple[str, bytes]] = {}  # path -> (sha256 of the plain file, gzip)
_compressing = threading.Lock()
RECHECK_SECONDS = 1.0


@dataclass
class Versions:
    """Each folder's version, and when the files were last looked at."""

    checked: float = -math.inf
    by_folder: dict[str, str] = field(default_factory=dict)


_versions = Versions()


def shipped(folder: str, name: str) -> Path | None:
    """The shipped browser file ``folder/name``, or None for anything else."""
    patterns = SHIPPED.get(folder, ())
    # fnmatch's * matches a slash: a name is as deep as its pattern, never deeper.
    if not any(
        fnmatchcase(name, pattern) and name.count("/") == pattern.count("/") for pattern in patterns
    ):
        return None
    path = STATIC / folder / name
    return path if path.is_file() else None


def media_type(path: Path) -> str:
    return MEDIA_TYPES[path.suffix]


def digest(path: Path) -> str:
    """The SHA-256 of a file, hashed again only when its size or time changes."""
    status = path.stat()
    signature = (status.st_mtime_ns, status.st_size)
    known = _digests.get(path)
    if known is None or known[0] != signature:
        known = _digests[path] = (signature, hashlib.sha256(path.read_bytes()).hexdigest())
    return known[1]


def folder_version(folder: str) -> str:
    """A hash of every shipped file in ``folder``: the version in its files' URLs (looked
    at again at most once a second, since every page asks for a few dozen URLs)."""
    now = time.monotonic()
    if now - _versions.checked >= RECHECK_SECONDS:
        _versions.by_folder = {name: hash_folder(name) for name in SHIPPED}
        _versions.checked = now
    return _versions.by_folder[folder]


def hash_folder(folder: str) -> str:
    where = STATIC / folder
    files = sorted({path for pattern in SHIPPED[folder] for path in where.glob(pattern)})
    listing = "".join(f"{path.relative_to(where).as_posix()} {digest(path)}\n" for path in files)
    return hashlib.sha256(listing.encode()).hexdigest()[:VERSION_LENGTH]


def static_url(relative: str) -> str:
    """The versioned URL of a shipped file: ``"js/main.js"`` -> ``/static/<version>/js/main.js``."""
    folder, _, name = relative.partition("/")
    if shipped(folder, name) is None:
        raise ValueError(f"{relative} is not a shipped browser file")
    return f"/static/{folder_version(folder)}/{relative}"


def plotly_urls() -> dict[str, str]:
    """Each plotly.js bundle's versioned URL, by name (``cartesian``, ``gl3d``)."""
    return {name: static_url(path) for name, path in PLOTLY_BUNDLES.items()}


def gzipped(path: Path) -> bytes:
    """The file gzipped (level 9, no time stamp: every worker makes the same bytes)."""
    current = digest(path)
    known = _gzipped.get(path)
    if known is None or known[0] != current:
        with _compressing:  # one thread compresses; the others wait and take its result
            known = _gzipped.get(path)
            if known is None or known[0] != current:
                data = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
                known = _gzipped[path] = (current, data)
    return known[1]
