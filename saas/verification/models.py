"""Applications for verification and their audit log, in the platform database."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import PlatformBase, value_enum
from saas.tenants.models import utcnow
from saas.verification.rules import REVIEW_ITEMS


class VerificationStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting in the queue
    IN_REVIEW = "in_review"  # claimed by an admin
    RETURNED = "returned"  # needs fixing; the cooperative resubmits
    APPROVED = "approved"  # verified badge
    SUSPENDED = "suspended"  # badge withdrawn for now
    REVOKED = "revoked"  # badge withdrawn


class Application(PlatformBase):
    """A cooperative's application: one per tenant, through every round of review."""

    __tablename__ = "verification_applications"
    __table_args__ = (
        CheckConstraint(
            "status <> 'approved' OR verified_at IS NOT NULL", name="approved_is_verified"
        ),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[VerificationStatus] = mapped_column(
        value_enum(VerificationStatus, "verification_status", native=False), index=True
    )
    region_code: Mapped[str | None] = mapped_column(String(13), index=True)
    first_submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    waiting_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform_admins.id", ondelete="SET NULL")
    )
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by every submission and decision: a decision made on an older page is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    last_notes: Mapped[str | None] = mapped_column(Text)


# An approval carries a verdict on every review item, and every verdict is OK: nothing is
# approved unseen, whatever the code above does (platform migration 0012 has the same list).
APPROVAL_JUDGED = (
    "action <> 'approved' OR (verdicts IS NOT NULL"
    f" AND verdicts::jsonb ?& ARRAY[{', '.join(repr(item) for item in REVIEW_ITEMS)}]"
    " AND NOT jsonb_path_exists(verdicts::jsonb, '$.* ? (!(@.ok == true))'))"
)


class VerificationEvent(PlatformBase):
    """The audit log: who did what to an application, when, with which notes."""

    __tablename__ = "verification_events"
    __table_args__ = (CheckConstraint(APPROVAL_JUDGED, name="approval_judges_every_item"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("verification_applications.id", ondelete="CASCADE"), index=True
    )
    admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform_admins.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    verdicts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
