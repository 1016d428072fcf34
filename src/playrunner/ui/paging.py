"""Where a page of a listing is, for its "1-50 of 1,234" and its Previous and Next links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageView:
    total: int
    limit: int
    offset: int
    shown: int

    @property
    def first(self) -> int:
        return self.offset + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.offset + self.shown

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None
