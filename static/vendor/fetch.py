"""Fetch the vendored plotly.js partial bundle from the npm registry and check it.

    python static/vendor/fetch.py          # download, verify, write
    python static/vendor/fetch.py --check  # verify the files already here

The page's 2-D views and the exported players use plotly.js' official
``cartesian`` dist (contour, heatmap, scatter; a third of the full bundle). It
must be the plotly.js version the installed plotly Python package ships, whose
full bundle the 3-D view loads: ``VERSION`` pins both, and a test checks it.
The tarball's SHA-512 is npm's own ``integrity`` for that version, pinned here.
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

PACKAGE = "plotly.js-cartesian-dist-min"
VERSION = "4.1.1"
INTEGRITY = (
    "sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/"
    "Z6w4P5O0Jus/Qr5EefHVeg=="
)
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
HERE = Path(__file__).resolve().parent
FILES = {  # name in the tarball -> name here
    "package/plotly-cartesian.min.js": "plotly-cartesian.min.js",
    "package/LICENSE": "plotly-LICENSE.txt",
}
DIGESTS = HERE / "SHA256SUMS"


def integrity(data: bytes) -> str:
    """npm's Subresource Integrity string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def sha256sums(files: dict[str, bytes]) -> str:
    """``sha256  name`` lines, as ``sha256sum`` writes them."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())


def fetch() -> None:
    """Download the pinned tarball, check npm's integrity hash, write its two files."""
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        tarball = response.read()
    if integrity(tarball) != INTEGRITY:
        sys.exit(f"{TARBALL}: integrity mismatch; nothing written")
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, name in FILES.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                sys.exit(f"{member} missing from {TARBALL}")
            files[name] = extracted.read()
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    DIGESTS.write_text(sha256sums(files), encoding="utf-8")
    print(f"wrote {', '.join(files)} from {PACKAGE} {VERSION}")


def check() -> None:
    """The files here are the ones the pinned tarball holds."""
    files = {name: (HERE / name).read_bytes() for name in FILES.values()}
    if sha256sums(files) != DIGESTS.read_text(encoding="utf-8"):
        sys.exit("vendored files differ from SHA256SUMS: run static/vendor/fetch.py")
    print("ok")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of fetching")
    check() if parser.parse_args().check else fetch()
