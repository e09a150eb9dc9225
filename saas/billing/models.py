"""Plans and the cooperatives' subscriptions, in the platform database's ``public`` schema."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import PlatformBase
from saas.tenants.models import Tenant, utcnow


class Period(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


class SubscriptionStatus(enum.StrEnum):
    """Stripe's subscription statuses, as Stripe names them."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"


STATUSES_SQL = ", ".join(f"'{status.value}'" for status in SubscriptionStatus)
PERIODS_SQL = ", ".join(f"'{period.value}'" for period in Period)


class Plan(PlatformBase):
    """What a cooperative may use; a limit of None means unlimited."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(SmallInteger)
    member_limit: Mapped[int | None] = mapped_column(Integer)
    officer_limit: Mapped[int | None] = mapped_column(Integer)
    custom_domain: Mapped[bool] = mapped_column(Boolean)
    loans: Mapped[bool] = mapped_column(Boolean)
    gerai: Mapped[bool] = mapped_column(Boolean)

    prices: Mapped[list[PlanPrice]] = relationship(
        back_populates="plan", order_by="PlanPrice.period"
    )


class PlanPrice(PlatformBase):
    """A plan's recurring price in whole rupiah, and the Stripe price (a Plan object) it is."""

    __tablename__ = "plan_prices"
    __table_args__ = (
        UniqueConstraint("plan_id", "period"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"period IN ({PERIODS_SQL})", name="known_period"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    period: Mapped[str] = mapped_column(String(10))  # month or year
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah
    stripe_price_id: Mapped[str | None] = mapped_column(String(100), unique=True)

    plan: Mapped[Plan] = relationship(back_populates="prices")


class Subscription(PlatformBase):
    """A cooperative's account at Stripe and the subscription it holds there, if any.

    The state is copied from the subscription fetched from Stripe; ``grace_until`` starts at
    the first failed payment and ends at the next paid invoice."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(f"status IS NULL OR status IN ({STATUSES_SQL})", name="known_status"),
        CheckConstraint(
            "(status IS NULL) = (stripe_subscription_id IS NULL)",
            name="status_comes_from_stripe",
        ),
    )

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    period: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(20))
    current_period_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    stripe_customer_id: Mapped[str] = mapped_column(String(100), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    grace_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    plan: Mapped[Plan] = relationship()


class NoticeKind(enum.StrEnum):
    """The emails a grace period brings after the one that starts it."""

    GRACE_ENDING = "grace_ending"  # the last day of grace has begun
    EXTRAS_PAUSED = "extras_paused"  # the grace is over and the paid plan's extras pause


NOTICE_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in NoticeKind)


class BillingNotice(PlatformBase):
    """A grace period's notice, sent once: its row is written in the transaction that sends it,
    and the key (cooperative, kind, the grace's end) refuses a second."""

    __tablename__ = "billing_notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "grace_until"),
        CheckConstraint(f"kind IN ({NOTICE_KINDS_SQL})", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    grace_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StripeEvent(PlatformBase):
    """A Stripe event already handled: written with its effect, so a replay does nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Sponsorship(PlatformBase):
    """A plan a sponsor (a regency, a bank, a programme) pays for: one cooperative's, or every
    cooperative's whose village lies in a region (a prefix of its kode wilayah), until a date.

    Never edited: a grant is a new row, and each is in the audit log."""

    __tablename__ = "sponsorships"
    __table_args__ = (
        CheckConstraint(
            "(tenant_id IS NULL) <> (region_code IS NULL)", name="one_cooperative_or_a_region"
        ),
        CheckConstraint("ends_on >= starts_on", name="ends_after_it_starts"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    sponsor: Mapped[str] = mapped_column(String(120))
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    region_code: Mapped[str | None] = mapped_column(String(13), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("platform_admins.id"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    plan: Mapped[Plan] = relationship()
    tenant: Mapped[Tenant | None] = relationship()


class BillingAuditEntry(PlatformBase):
    """The billing audit log: who granted what to whom. Append-only: a trigger of migration
    0013 refuses changing or deleting an entry."""

    __tablename__ = "billing_audit_log"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    admin_id: Mapped[int] = mapped_column(ForeignKey("platform_admins.id"))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text)
