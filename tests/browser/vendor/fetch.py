"""Fetch axe-core, which the accessibility tests inject into the page, from the npm registry.

    python tests/browser/vendor/fetch.py          # download, verify, write
    python tests/browser/vendor/fetch.py --check  # verify the files already here

Used by the tests only (the app never serves it). ``VERSION`` pins the release and
``INTEGRITY`` is npm's own SHA-512 ``integrity`` of its tarball; ``SHA256SUMS`` holds the
digests of the files taken from it, which the tests check before they use them.
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

VERSION = "4.10.3"
INTEGRITY = (
    "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/"
    "PbZhideTcEg=="
)
FILES = {"package/axe.min.js": "axe.min.js", "package/LICENSE": "axe-LICENSE.txt"}
HERE = Path(__file__).resolve().parent
DIGESTS = HERE / "SHA256SUMS"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"


def integrity(data: bytes) -> str:
    """npm's Subresource Integrity string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def digests() -> dict[str, str]:
    """The SHA-256 of each file here, as ``SHA256SUMS`` pins it."""
    pairs = (line.split() for line in DIGESTS.read_text().splitlines() if line.strip())
    return {name: digest for digest, name in pairs}


def verified() -> list[str]:
    """The files whose content differs from ``SHA256SUMS`` (none when all is well)."""
    return [
        name
        for name, digest in digests().items()
        if hashlib.sha256((HERE / name).read_bytes()).hexdigest() != digest
    ]


def fetch() -> None:
    with urllib.request.urlopen(TARBALL, timeout=60) as answer:
        data = answer.read()
    if integrity(data) != INTEGRITY:
        sys.exit(f"axe-core {VERSION}: the tarball's integrity is not the pinned one")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member, name in FILES.items():
            extracted = archive.extractfile(member)
            assert extracted is not None, member
            (HERE / name).write_bytes(extracted.read())
    sums = (f"{hashlib.sha256((HERE / n).read_bytes()).hexdigest()}  {n}\n" for n in FILES.values())
    DIGESTS.write_text("".join(sums))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the files already here")
    if not parser.parse_args().check:
        fetch()
    if bad := verified():
        sys.exit(f"differ from SHA256SUMS: {', '.join(bad)}")
    print(f"axe-core {VERSION}: verified")


if __name__ == "__main__":
    main()
