"""Settings, read once from the environment (prefix ``PLAYRUNNER_``)."""

from __future__ import annotations

import functools
import socket
from email.utils import parseaddr
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


@functools.cache
def _machine_name() -> str:
    # A reverse DNS lookup: once per process, not on every page that names the server.
    return socket.getfqdn()


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
            " https://playrunner.example.com: used in every absolute URL Playrunner writes"
            " (the curl on a play's page, password links, OAuth metadata). Without it,"
            " http://HOST:PORT as served; never the request's Host header."
        ),
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_header_bytes: int = Field(
        default=64 * 1024,
        ge=8192,
        description=(
            "Largest request head (request line and headers) read; larger ones, or more than"
            " 100 headers, get 431."
        ),
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description=(
            "How long a client may take to send a request's head, and how long an idle"
            " keep-alive connection stays open."
        ),
    )
    body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How long a client may take to send a request's body (408 after it).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("PLAYRUNNER_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS"),
        description=(
            "Proxies (comma-separated addresses, or *) whose X-Forwarded-For and"
            " X-Forwarded-Proto headers are believed."
        ),
    )
    database_pool_size: int = Field(
        default=32,
        ge=1,
        le=1000,
        description=(
            "PostgreSQL: connections each serving process keeps open at most for requests."
            " Calls beyond them wait for one (a wait that costs CPU). Background workers use"
            " up to 10 more per process: workers times (this + 10) must stay under"
            " PostgreSQL's max_connections."
        ),
    )
    sqlite_busy_timeout_ms: int = Field(
        default=5000,
        ge=0,
        description="How long a SQLite writer waits for another process's write lock.",
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description=(
            "FULL: a run answered Success survives a power loss (an fsync per group commit)."
            " NORMAL: faster; a power loss may undo the last answered runs."
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "The key webhook signing secrets derive from. Set it (the same on every host)"
            " for several hosts; without it, the key file is used (made on first need)."
        ),
    )
    secret_key_file: str = Field(
        default="playrunner.key",
        description="Where the key is kept when PLAYRUNNER_SECRET_KEY is not set.",
    )
    webhooks_allow_private_networks: bool = Field(
        default=False,
        description="Allow webhook endpoints on loopback and private addresses.",
    )
    webhook_workers: int = Field(
        default=2,
        ge=0,
        le=64,
        description=(
            "Webhook delivery threads in each `serve` process (0: only `playrunner worker`"
            " processes deliver)."
        ),
    )
    outbox_yield_seconds: float = Field(
        default=5.0,
        ge=0,
        le=600,
        description=(
            "In a serving process, how long the webhook and email workers wait for a moment"
            " with no request in flight before they send a batch anyway."
        ),
    )
    webhook_sweep_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often workers look for deliveries nothing is carrying.",
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long a worker holds a delivery it is sending before another may.",
    )
    webhook_retry_base_seconds: float = Field(
        default=30.0,
        gt=0,
        le=86400,
        description="The first retry's delay; each later one doubles (with jitter).",
    )
    webhook_retry_hours: float = Field(
        default=72.0,
        gt=0,
        le=24 * 30,
        description="How long a delivery is retried before it fails.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long a receiver may take to answer."
    )
    smtp_host: str | None = Field(
        default=None,
        description=(
            "The SMTP relay emails to assignees go through. Without it, no email is sent"
            " (Playrunner says so once at start) and everything else works."
        ),
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Its port; by default 587 with starttls, 465 with tls, 25 with none.",
    )
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description=(
            "starttls: upgrade the connection with STARTTLS (refused if the relay cannot);"
            " tls: TLS from the first byte (SMTPS); none: plain text (a relay on this host)."
        ),
    )
    smtp_user: str | None = Field(default=None, description="User name to log in with.")
    smtp_password: SecretStr | None = Field(
        default=None, description="Password to log in with (with PLAYRUNNER_SMTP_USER)."
    )
    smtp_from: str | None = Field(
        default=None,
        description=(
            "The From address, e.g. 'Playrunner <playrunner@example.com>'; needed with"
            " PLAYRUNNER_SMTP_HOST."
        ),
    )
    smtp_per_minute: int = Field(
        default=60,
        ge=1,
        le=100_000,
        description=(
            "At most this many emails a minute, across every process (shared through Redis"
            " when PLAYRUNNER_REDIS_URL is set), so the relay accepts them."
        ),
    )
    smtp_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long the relay may take to answer."
    )
    auto_migrate: bool = Field(
        default=True,
        description="Apply pending migrations when `playrunner serve` starts.",
    )

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _synchronous_in_any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

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

    @property
    def base_url(self) -> str:
        """Where people and integrations reach this server: ``public_url``, else the address
        ``serve`` binds (the machine's name when it binds every interface). Absolute URLs
        are built from this, never from a request's ``Host``, which the client chooses."""
        if self.public_url:
            return self.public_url
        host = _machine_name() if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def email_enabled(self) -> bool:
        """Whether emails to assignees are written and sent (an SMTP relay is configured)."""
        return self.smtp_host is not None

    @property
    def smtp_port_or_default(self) -> int:
        if self.smtp_port is not None:
            return self.smtp_port
        return {"starttls": 587, "tls": 465, "none": 25}[self.smtp_security]

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _security_in_any_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("smtp_host", "smtp_user", "smtp_from")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _smtp_complete(self) -> Settings:
        if self.smtp_host is not None and self.smtp_from is None:
            raise ValueError(
                "PLAYRUNNER_SMTP_FROM is needed with PLAYRUNNER_SMTP_HOST (the address emails"
                " come from)"
            )
        if self.smtp_from is not None and "@" not in parseaddr(self.smtp_from)[1]:
            raise ValueError(
                f"PLAYRUNNER_SMTP_FROM {self.smtp_from!r} is not an address such as"
                " 'Playrunner <playrunner@example.com>'"
            )
        if self.smtp_password is not None and self.smtp_user is None:
            raise ValueError("PLAYRUNNER_SMTP_PASSWORD is set without PLAYRUNNER_SMTP_USER")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError(
                "PLAYRUNNER_WEBHOOK_LEASE_SECONDS must be longer than"
                " PLAYRUNNER_WEBHOOK_TIMEOUT_SECONDS (a worker holds a delivery while it sends)"
            )
        return self

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
