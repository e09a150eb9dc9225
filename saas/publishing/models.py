"""The yearly reports a cooperative has published, in each tenant's schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Identity, SmallInteger
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase
from saas.tenants.models import utcnow


class PublishedReport(TenantBase):
    """A closed book year's statements as published: the figures are kept as they stood, so
    what members, banks and partners read does not move under them. Officers choose which
    statements go in (``figures`` holds only those); publishing again replaces them."""

    __tablename__ = "published_reports"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, unique=True)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
