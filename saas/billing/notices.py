"""The emails of a grace period to the chair and the treasurer: when a payment fails and the
grace starts, on its last day, and when the paid plan's extras pause."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas import clock
from saas.accounts.models import TenantUser
from saas.accounts.roles import GRANTS, Permission
from saas.billing import queries
from saas.billing.models import BillingNotice, NoticeKind, Subscription
from saas.billing.rules import FAILING_STATUSES
from saas.db import Databases
from saas.mail import send_templated
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.move_holds import MoveInProgress, open_tenant_for_job

log = logging.getLogger(__name__)


def _tell_officers(
    databases: Databases,
    tenant: Tenant,
    template: str,
    subject: Callable[[], str],
    **context: object,
) -> int:
    """Email each active officer who manages billing, in their language; how many.

    Raises ``MoveInProgress`` while the cooperative moves between shards.
    """
    with open_tenant_for_job(databases, tenant.id) as opened:
        if opened is None:
            return 0
        _current, session = opened
        officers = session.execute(
            select(TenantUser.name, TenantUser.email, TenantUser.locale).where(
                TenantUser.is_active.is_(True),
                TenantUser.email.is_not(None),
                TenantUser.role.in_(GRANTS[Permission.MANAGE_BILLING]),
            )
        ).all()
    for name, email, locale in officers:
        with force_locale(locale or tenant.default_locale):
            send_templated(
                str(email),  # the query keeps only officers with an email
                subject(),
                template,
                name=name,
                cooperative=tenant.display_name,
                **context,
            )
    return len(officers)


def send_grace_notice(
    databases: Databases, tenant_id: int, billing_link: Callable[[str], str]
) -> int:
    """Tell each active officer who manages billing that the card must change before the grace
    ends; how many were told (none once the grace is over or the payment went through)."""
    with databases.platform_session() as platform:
        tenant = platform.get(Tenant, tenant_id)
        subscription = queries.get_subscription(platform, tenant_id)
        if tenant is None or tenant.schema_name is None or subscription is None:
            return 0
        grace_until = subscription.grace_until
    if grace_until is None:
        return 0
    return _tell_officers(
        databases,
        tenant,
        "billing_grace",
        lambda: _("The payment for Guyub failed"),
        grace_until=grace_until,
        link=billing_link(tenant.slug),
    )


def notice_due(grace_until: datetime, now: datetime, tenant: Tenant) -> NoticeKind | None:
    """Which notice the grace period calls for now: the reminder from the start of its last day
    in the cooperative's zone, the pause once it has ended."""
    if now >= grace_until:
        return NoticeKind.EXTRAS_PAUSED
    zone = clock.zone_for_tenant(tenant)
    last_day = grace_until.astimezone(zone).date() - timedelta(days=1)
    if now.astimezone(zone).date() >= last_day:
        return NoticeKind.GRACE_ENDING
    return None


def _record(session: Session, tenant_id: int, kind: NoticeKind, grace_until: datetime) -> bool:
    """Note the notice as sent; False when it was already (by an earlier run or a twin)."""
    inserted = session.execute(
        insert(BillingNotice)
        .values(tenant_id=tenant_id, kind=kind.value, grace_until=grace_until, sent_at=clock.now())
        .on_conflict_do_nothing()
        .returning(BillingNotice.id)
    ).scalar_one_or_none()
    return inserted is not None


def send_grace_reminders(
    databases: Databases, now: datetime, billing_link: Callable[[str], str]
) -> int:
    """Send each cooperative in a grace period the notice it is due and was not sent yet, each
    in its own transaction; how many cooperatives were told."""
    with databases.platform_session() as platform:
        in_grace = platform.execute(
            select(Tenant, Subscription.grace_until)
            .join(Subscription, Subscription.tenant_id == Tenant.id)
            .where(
                Tenant.status == TenantStatus.ACTIVE,
                Tenant.schema_name.is_not(None),
                Subscription.grace_until.is_not(None),
                Subscription.status.in_(FAILING_STATUSES),
            )
        ).all()
    told = 0
    for tenant, grace_until in in_grace:
        assert grace_until is not None  # the query keeps only grace periods
        kind = notice_due(grace_until, now, tenant)
        if kind is None:
            continue
        with databases.platform_session() as session:
            if not _record(session, tenant.id, kind, grace_until):
                continue
            try:
                _send_notice(databases, tenant, kind, grace_until, billing_link(tenant.slug))
            except MoveInProgress:
                # Not recorded: the next hourly run sends it, once the move is over.
                session.rollback()
                continue
            # Recorded only once sent: a failed send is tried again at the next run.
            session.commit()  # the job's one transaction for this cooperative
            told += 1
    return told


def _send_notice(
    databases: Databases, tenant: Tenant, kind: NoticeKind, grace_until: datetime, link: str
) -> None:
    if kind is NoticeKind.GRACE_ENDING:
        _tell_officers(
            databases,
            tenant,
            "billing_grace_ending",
            lambda: _("The grace period for the Guyub payment ends tomorrow"),
            grace_until=grace_until,
            link=link,
        )
    else:
        _tell_officers(
            databases,
            tenant,
            "billing_extras_paused",
            lambda: _("The paid plan's extras at Guyub are paused"),
            link=link,
        )
