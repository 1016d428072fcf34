from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey


class IdempotencyKey(UUIDPrimaryKey, Base):
    """A client's ``Idempotency-Key`` and the answer it got, replayed for 24 hours.

    The unique constraint, not a check-then-insert, is what makes concurrent retries with
    the same key produce exactly one run.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # Who used the key: the same string the rate limit counts by (a token, an OAuth app).
    caller: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the route and body, to tell a true retry from a reused key.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    # The JSON answer exactly as sent (text, not JSON: PostgreSQL's JSONB reorders keys, and a
    # replay must be byte-identical).
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
