"""The browser files: versioned URLs cached for a year, gzipped for clients that take it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response

from gradtrail.app.static_files import digest, folder_version, gzipped, media_type, shipped

router = APIRouter(include_in_schema=False)
# A versioned URL names one content for good; any other URL is checked on each use.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@router.api_route("/static/{version}/{folder}/{name}", methods=["GET", "HEAD"])
def versioned(version: str, folder: str, name: str, request: Request) -> Response:
    """A shipped file at its versioned URL. A page of an older version gets today's file,
    never kept under the old URL."""
    path = found(folder, name)
    current = version == folder_version(folder)
    return answer(request, path, IMMUTABLE if current else REVALIDATE)


@router.api_route("/static/{version}/{folder}/fonts/{name}", methods=["GET", "HEAD"])
def versioned_font(version: str, folder: str, name: str, request: Request) -> Response:
    """A font at the URL its stylesheet gives it: ``fonts/`` beside KaTeX's CSS."""
    return versioned(version, folder, f"fonts/{name}", request)


@router.api_route("/static/{folder}/{name}", methods=["GET", "HEAD"])
def unversioned(folder: str, name: str, request: Request) -> Response:
    """A shipped file at the URL it had before URLs were versioned (slides embed those)."""
    return answer(request, found(folder, name), REVALIDATE)


def found(folder: str, name: str) -> Path:
    """The shipped file ``folder/name``; anything else is a 404."""
    path = shipped(folder, name)
    if path is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return path


def answer(request: Request, path: Path, cache_control: str) -> Response:
    """The file, gzipped when the client takes gzip; a 304 when it has this one already."""
    compressed = accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = f'"{digest(path)[:32]}{"-gzip" if compressed else ""}"'
    headers = {"cache-control": cache_control, "vary": "accept-encoding", "etag": etag}
    if etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    if compressed:
        headers["content-encoding"] = "gzip"
        return Response(gzipped(path), media_type=media_type(path), headers=headers)
    return Response(path.read_bytes(), media_type=media_type(path), headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header takes gzip (``gzip;q=0`` refuses it)."""
    weights = {}
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        name, _, value = parameters.strip().partition("=")
        try:
            weight = float(value) if name.strip() == "q" else 1.0
        except ValueError:
            weight = 0.0
        weights[coding.strip()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0
