"""Settings, read once from the environment (prefix ``PLAYRUNNER_``)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Playrunner has. Unknown ``PLAYRUNNER_`` variables are ignored."""

    model_config = SettingsConfigDict(env_prefix="PLAYRUNNER_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///playrunner.db",
        description="SQLAlchemy URL. A relative SQLite path is relative to the working directory.",
    )
    rate_limit: str = Field(
        default="100/minute",
        validate_default=False,  # known good; checking it would load `limits` in every command
        description="Per-token limit across every API, in the `limits` notation (e.g. 100/minute).",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db. When set, the rate limit is shared through Redis.",
    )
    redis_retry_seconds: float = Field(
        default=5.0,
        ge=0,
        description="While Redis is unreachable, how often to try it again.",
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted; larger ones get 413.",
    )
    public_url: str | None = Field(
        default=None,
        description=(
            "The address people and integrations reach Playrunner at, e.g."
            " https://playrunner.example.com: used in the curl statements pages show."
        ),
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    sqlite_busy_timeout_ms: int = Field(
        default=5000,
        ge=0,
        description="How long a SQLite writer waits for another process's write lock.",
    )
    auto_migrate: bool = Field(
        default=True,
        description="Apply pending migrations when `playrunner serve` starts.",
    )

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_must_parse(cls, value: str) -> str:
        # Imported here: `limits` takes ~0.06 s to load, and every CLI command reads Settings;
        # only a rate limit someone set needs checking.
        from limits import parse as parse_rate_limit  # noqa: PLC0415

        try:
            parse_rate_limit(value)
        except ValueError as exc:
            raise ValueError(
                f"PLAYRUNNER_RATE_LIMIT {value!r} is not a rate such as '100/minute'"
            ) from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"PLAYRUNNER_PUBLIC_URL {value!r} must start with http:// or https://")
        return value.rstrip("/") if value else None

    @field_validator("redis_url")
    @classmethod
    def _redis_url_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"PLAYRUNNER_REDIS_URL {value!r} must start with redis:// or rediss://"
            )
        return value or None
