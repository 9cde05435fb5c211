"""Fetch the vendored plotly.js partial bundles and KaTeX from the npm registry and check them.

    python static/vendor/fetch.py          # download, verify, write
    python static/vendor/fetch.py --check  # verify the files already here

The page's 2-D views and the exported players use plotly.js' official
``cartesian`` dist (contour, heatmap, scatter; a third of the full bundle); the
3-D view loads the official ``gl3d`` dist (surface, scatter3d) when it first
opens. Both must be the plotly.js version the installed plotly Python package
ships: ``VERSION`` pins them, and a test checks it. Each tarball's SHA-512 is
npm's own ``integrity`` for that version, pinned here. The two carry the same
licence file, written once.

KaTeX typesets the formulas the API writes in LaTeX (the loss, the model, each
parameter's update): its minified script and stylesheet, and the woff2 fonts the
stylesheet names first (a browser that reads woff2 asks for no other format), in
``fonts/`` beside the stylesheet as its ``url(fonts/…)`` expects. Its version is
pinned here with npm's integrity of its tarball.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path
from typing import NamedTuple

VERSION = "4.1.1"
KATEX_VERSION = "0.19.1"
KATEX_FONTS = (
    "AMS-Regular", "Caligraphic-Bold", "Caligraphic-Regular", "Fraktur-Bold", "Fraktur-Regular",
    "Main-Bold", "Main-BoldItalic", "Main-Italic", "Main-Regular", "Math-BoldItalic",
    "Math-Italic", "SansSerif-Bold", "SansSerif-Italic", "SansSerif-Regular", "Script-Regular",
    "Size1-Regular", "Size2-Regular", "Size3-Regular", "Size4-Regular", "Typewriter-Regular",
)  # fmt: skip


class Package(NamedTuple):
    """An npm package: npm's integrity of its tarball, and the files taken from it."""

    integrity: str
    files: dict[str, str]  # name in the tarball -> name here
    version: str = VERSION


PACKAGES = {
    "plotly.js-cartesian-dist-min": Package(
        "sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/"
        "Z6w4P5O0Jus/Qr5EefHVeg==",
        {"package/plotly-cartesian.min.js": "plotly-cartesian.min.js",
         "package/LICENSE": "plotly-LICENSE.txt"},
    ),
    "plotly.js-gl3d-dist-min": Package(
        "sha512-HNdhOi/mVr29u6BbzJvz1kAjEzCxwfaZNLipjNCxg33JE3RmRHhPDUd0LCuQMDcRR5LLFFfaSMMdt"
        "OWl0bERZA==",
        {"package/plotly-gl3d.min.js": "plotly-gl3d.min.js",
         "package/LICENSE": "plotly-LICENSE.txt"},
    ),
    "katex": Package(
        "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614"
        "uRrEfA==",
        {"package/dist/katex.min.js": "katex.min.js",
         "package/dist/katex.min.css": "katex.min.css",
         "package/LICENSE": "katex-LICENSE.txt",
         **{f"package/dist/fonts/KaTeX_{font}.woff2": f"fonts/KaTeX_{font}.woff2"
            for font in KATEX_FONTS}},
        KATEX_VERSION,
    ),
}  # fmt: skip
HERE = Path(__file__).resolve().parent
DIGESTS = HERE / "SHA256SUMS"


def tarball_url(name: str, version: str = VERSION) -> str:
    return f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"


def integrity(data: bytes) -> str:
    """npm's Subresource Integrity string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def sha256sums(files: dict[str, bytes]) -> str:
    """``sha256  name`` lines, as ``sha256sum`` writes them."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())


def extract(name: str, package: Package) -> dict[str, bytes]:
    """Download ``name``'s pinned tarball, check npm's integrity hash, read its files."""
    url = tarball_url(name, package.version)
    with urllib.request.urlopen(url, timeout=60) as response:
        tarball = response.read()
    if integrity(tarball) != package.integrity:
        sys.exit(f"{url}: integrity mismatch; nothing written")
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, here in package.files.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                sys.exit(f"{member} missing from {url}")
            files[here] = extracted.read()
    return files


def fetch() -> None:
    """Every package's files, checked, then written (nothing is written on a mismatch)."""
    files: dict[str, bytes] = {}
    for name, package in PACKAGES.items():
        for here, data in extract(name, package).items():
            if files.setdefault(here, data) != data:
                sys.exit(f"{here} differs between the packages; nothing written")
    for here, data in files.items():
        (HERE / here).parent.mkdir(exist_ok=True)
        (HERE / here).write_bytes(data)
    DIGESTS.write_text(sha256sums(files), encoding="utf-8")
    versions = ", ".join(f"{name} {package.version}" for name, package in PACKAGES.items())
    print(f"wrote {len(files)} files from {versions}")


def check() -> None:
    """The files here are the ones the pinned tarballs hold."""
    names = dict.fromkeys(here for package in PACKAGES.values() for here in package.files.values())
    files = {name: (HERE / name).read_bytes() for name in names}
    if sha256sums(files) != DIGESTS.read_text(encoding="utf-8"):
        sys.exit("vendored files differ from SHA256SUMS: run static/vendor/fetch.py")
    print("ok")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of fetching")
    check() if parser.parse_args().check else fetch()
