"""Every setting, read from ``GRADTRAIL_*`` environment variables."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Server settings; the README lists each variable."""

    model_config = SettingsConfigDict(env_prefix="GRADTRAIL_")

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="origins allowed to call the API from a browser, comma-separated; none",
    )
    max_body_bytes: int = Field(8 * 2**20, ge=1024, description="largest request body; beyond: 413")
    large_body_bytes: int = Field(
        2**20, ge=1024, description="a body larger than this (or chunked) is a large one"
    )
    large_bodies: int = Field(4, ge=1, description="large bodies read and handled at once")
    queue_large_bodies: int = Field(16, ge=0, description="large bodies that may wait; then 503")
    header_timeout: float = Field(
        10.0, gt=0, description="seconds a client has for a request's line and headers (from "
        "connecting, or from a next request's first byte); then 408 and the connection closes",
    )  # fmt: skip
    body_timeout: float = Field(
        10.0, gt=0, description="seconds a request body may pause between two reads; then 408"
    )
    max_connections: int = Field(
        500, ge=1, description="open connections per worker process (each may hold a file "
        "too: the open-file limit is raised to fit, or this lowered); past it the connection "
        "waiting longest for a request is closed, or when all are busy a new one is a 503",
    )  # fmt: skip
    frame_steps: int = Field(100, ge=1, le=5000, description="optimizer steps per streamed frame")
    compute_threads: int = Field(2, ge=1, le=64, description="threads for small computations")
    queue_small: int = Field(64, ge=0, description="small computations that may wait; beyond: 503")
    queue_large: int = Field(2, ge=0, description="large computations that may wait; beyond: 503")
    # Above every lesson (the deep networks', 124,453, compute in 0.1 s) and below a maximal
    # run of 16 x 20,000 steps (320,000: 1.6 s in one piece, or 2.4 s as an export), which
    # in the small lane held one of its two threads while a class's frames waited.
    large_cost: float = Field(
        200_000, gt=0, description="optimizer steps × a surface's evaluation cost that make a "
        "computation large (its own lane: one thread, a short queue)",
    )  # fmt: skip
    deadline_seconds: float = Field(30.0, gt=0, description="longest computation; beyond: 503")
    max_streams: int = Field(256, ge=1, description="open event streams per process; beyond: 503")
    stream_write_timeout: float = Field(
        10.0, gt=0, description="seconds a stream's reader may stall before it is closed"
    )
    max_link_characters: int = Field(
        1_000_000, ge=1000, description="longest share link the page offers (browsers take about"
        " 2 MB); past it the page offers the spec as a JSON file",
    )  # fmt: skip
    max_response_bytes: int = Field(
        64 * 2**20, ge=2**20, description="largest JSON answer; a bigger one is a 422 (stream it)"
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: str | list[str]) -> list[str]:
        """``"https://a.org, https://b.org"`` becomes a list; a list stays as it is."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


@cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
