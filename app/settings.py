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
    frame_steps: int = Field(100, ge=1, le=5000, description="optimizer steps per streamed frame")

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
