"""Freshness nudges: officers whose microsite has not changed for 30 days get a reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from saas.dashboard.models import Nudge, TenantSummary
from saas.mail import Email, Mailer
from saas.onboarding.models import Registration
from saas.tenants.models import Tenant, TenantStatus

STALE_DAYS = 30


def list_stale_tenants(session: Session, now: datetime) -> list[tuple[Tenant, str, str]]:
    """(tenant, email, name) of active cooperatives unchanged for 30 days and not nudged since."""
    cutoff = now - timedelta(days=STALE_DAYS)
    recently_nudged = select(Nudge.tenant_id).where(Nudge.sent_at > cutoff)
    rows = session.execute(
        select(Tenant, Registration.officer_email, Registration.officer_name)
        .join(Registration, Registration.tenant_id == Tenant.id)
        .outerjoin(TenantSummary, TenantSummary.tenant_id == Tenant.id)
        .where(
            Tenant.status == TenantStatus.ACTIVE,
            Tenant.created_at < cutoff,
            Registration.officer_email.is_not(None),
            or_(
                TenantSummary.content_updated_at.is_(None),
                and_(TenantSummary.content_updated_at < cutoff),
            ),
            Tenant.id.not_in(recently_nudged),
        )
        .order_by(Tenant.id)
    )
    return [(tenant, email or "", name or "") for tenant, email, name in rows]


def send_freshness_nudges(
    session: Session, mailer: Mailer, link_for: object, now: datetime | None = None
) -> int:
    """Email each stale cooperative once and record it; returns how many were nudged.

    ``link_for(slug)`` gives the one-tap link to the cooperative's editor. A job, not an
    operation: each nudge is committed as soon as its email is sent, so a run that crashes
    part-way never mails a cooperative twice.
    """
    now = now or datetime.now(UTC)
    sent = 0
    for tenant, email, name in list_stale_tenants(session, now):
        with force_locale(tenant.default_locale):
            mailer.send(
                Email(
                    to=email,
                    subject=_(
                        "Is %(cooperative)s's page still up to date?",
                        cooperative=tenant.display_name,
                    ),
                    text=render_template(
                        "emails/nudge.txt",
                        name=name,
                        cooperative=tenant.display_name,
                        link=link_for(tenant.slug),  # type: ignore[operator]
                    ),
                )
            )
        session.add(Nudge(tenant_id=tenant.id, email=email, sent_at=now))
        session.commit()  # a step's durability boundary: the email is out
        sent += 1
    return sent


def list_recent_nudges(session: Session, limit: int = 100) -> list[tuple[Nudge, Tenant]]:
    rows = session.execute(
        select(Nudge, Tenant)
        .join(Tenant, Tenant.id == Nudge.tenant_id)
        .order_by(Nudge.sent_at.desc())
        .limit(limit)
    )
    return [(nudge, tenant) for nudge, tenant in rows]
