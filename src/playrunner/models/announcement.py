"""What a batch of runs made, to be announced: one row per batch (per ``RUNS_PER_ROW`` runs of
a bulk call), written in the runs' own transaction and expanded by the outbox workers into
webhook events with their deliveries, and emails to the assignees
(``runs/announcements.py``).

The row is the runs' notifications in their most compact form: the trigger path writes one
small row instead of an event and a delivery per item and an email per person; those are
written after the burst by the workers, which delete the row in the same transaction.
``body`` holds everything they need as it was at commit time (the records, the account ids,
the assignees, the emails' contents), so an event says what was made even if the item
changed before it was sent.
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.models.base import Base, UUIDPrimaryKey, enum_column
from playrunner.models.outbox import OutboxColumns


class AnnouncementStatus(enum.StrEnum):
    """An announcement is deleted once expanded; these are the states before that."""

    PENDING = "pending"
    FAILED = "failed"  # could not be expanded for the whole retry period (last_error says why)


class RunAnnouncement(OutboxColumns, UUIDPrimaryKey, Base):
    # No index but the key: the rows live seconds (deleted once expanded), so the sweep's
    # scan of the few pending ones costs less than an index written on every trigger call.
    # Keys are time-ordered (``ids.time_ordered_id``), so the key's index grows at its end.
    __tablename__ = "run_announcements"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # JSON (``runs/announcements.py`` writes and reads it with orjson).
    body: Mapped[str] = mapped_column(Text)
    run_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[AnnouncementStatus] = mapped_column(
        enum_column(AnnouncementStatus), default=AnnouncementStatus.PENDING
    )
