"""Reading plans and a cooperative's subscription, and the terms it has now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, true
from sqlalchemy.orm import Session, selectinload

from saas import clock
from saas.billing.models import Plan, PlanPrice, Sponsorship, Subscription
from saas.billing.rules import FREE_PLAN, PAID_STATUSES, paid_terms_hold
from saas.billing.sponsorships import covers, sponsorship_for
from saas.tenants.models import Tenant, TenantStatus


@dataclass(frozen=True)
class Terms:
    """What the cooperative may use today (limits of None mean unlimited)."""

    plan: Plan
    paused: bool  # a paid plan whose extras are paused (its payment failed past the grace)
    sponsor: str | None = None  # who pays for the plan, when a sponsor does

    @property
    def member_limit(self) -> int | None:
        return self.plan.member_limit

    @property
    def officer_limit(self) -> int | None:
        return self.plan.officer_limit


def list_plans(session: Session) -> list[Plan]:
    return list(
        session.scalars(select(Plan).options(selectinload(Plan.prices)).order_by(Plan.position))
    )


def get_plan(session: Session, code: str) -> Plan:
    return session.scalars(select(Plan).where(Plan.code == code)).one()


def get_price(session: Session, plan_code: str, period: str) -> PlanPrice | None:
    return session.scalar(
        select(PlanPrice).join(Plan).where(Plan.code == plan_code, PlanPrice.period == period)
    )


def get_price_by_stripe_id(session: Session, stripe_price_id: str | None) -> PlanPrice | None:
    if not stripe_price_id:
        return None
    return session.scalar(select(PlanPrice).where(PlanPrice.stripe_price_id == stripe_price_id))


def get_subscription(session: Session, tenant_id: int) -> Subscription | None:
    return session.get(Subscription, tenant_id)


def get_subscription_by_customer(session: Session, customer_id: str) -> Subscription | None:
    return session.scalar(
        select(Subscription).where(Subscription.stripe_customer_id == customer_id)
    )


def terms_for(session: Session, tenant_id: int) -> Terms:
    """The plan whose terms hold for the cooperative now: its live paid plan, else a running
    sponsorship's, else the free plan's (paused when a paid plan is past its grace period)."""
    subscription = get_subscription(session, tenant_id)
    status = subscription.status if subscription is not None else None
    if subscription is not None and paid_terms_hold(status, subscription.grace_until, clock.now()):
        return Terms(subscription.plan, paused=False)
    tenant = session.get(Tenant, tenant_id)
    if tenant is not None and (
        sponsored := sponsorship_for(session, tenant, clock.today_for(tenant))
    ):
        return Terms(sponsored.plan, paused=False, sponsor=sponsored.sponsor)
    paused = (
        subscription is not None
        and status not in {None, "canceled"}
        and subscription.plan.code != FREE_PLAN
    )
    return Terms(get_plan(session, FREE_PLAN), paused=paused)


@dataclass(frozen=True)
class CooperativeBilling:
    """One cooperative's line in the admins' billing overview; MRR in whole rupiah."""

    slug: str
    name: str
    region_code: str | None
    plan: str
    period: str | None
    status: str | None
    sponsor: str | None
    mrr: int


def monthly_revenue(amount: int | None, period: str | None, status: str | None) -> int:
    """What a live subscription brings a month, in rupiah (a year's price over twelve)."""
    if amount is None or status not in PAID_STATUSES:
        return 0
    return amount if period == "month" else amount // 12


def list_cooperative_billing(session: Session, on: date) -> list[CooperativeBilling]:
    """Every active cooperative's plan, status, sponsor and MRR, in one query."""
    running = (
        select(Sponsorship.sponsor, Plan.name)
        .join(Plan)
        .where(
            covers(Tenant.id, Tenant.region_code),
            Sponsorship.starts_on <= on,
            Sponsorship.ends_on >= on,
        )
        .order_by(Plan.position.desc(), Sponsorship.ends_on.desc())
        .limit(1)
        .lateral("running")
    )
    rows = session.execute(
        select(
            Tenant.slug,
            Tenant.display_name,
            Tenant.region_code,
            Plan.name,
            Subscription.period,
            Subscription.status,
            PlanPrice.amount,
            running.c.sponsor,
            running.c.name,
        )
        .select_from(Tenant)
        .outerjoin(Subscription, Subscription.tenant_id == Tenant.id)
        .outerjoin(Plan, Plan.id == Subscription.plan_id)
        .outerjoin(
            PlanPrice,
            (PlanPrice.plan_id == Subscription.plan_id) & (PlanPrice.period == Subscription.period),
        )
        .outerjoin(running, true())
        .where(Tenant.status == TenantStatus.ACTIVE)
        .order_by(Tenant.display_name, Tenant.id)
    )
    free = get_plan(session, FREE_PLAN).name
    return [
        CooperativeBilling(
            slug=slug,
            name=name,
            region_code=region_code,
            plan=plan if status in PAID_STATUSES else (sponsored_plan or free),
            period=period,
            status=status,
            sponsor=sponsor,
            mrr=monthly_revenue(amount, period, status),
        )
        for slug, name, region_code, plan, period, status, amount, sponsor, sponsored_plan in rows
    ]


@dataclass(frozen=True)
class PlanCount:
    """How many cooperatives of a province are on a plan, and who pays for it."""

    province: str | None  # the province's code, None for cooperatives not placed yet
    plan: str
    sponsor: str | None
    cooperatives: int


def count_by_province(rows: list[CooperativeBilling]) -> list[PlanCount]:
    """The overview's rows counted by province, plan and sponsor."""
    counts = Counter(
        (row.region_code.split(".")[0] if row.region_code else None, row.plan, row.sponsor)
        for row in rows
    )
    return [
        PlanCount(province, plan, sponsor, count)
        for (province, plan, sponsor), count in sorted(
            counts.items(), key=lambda item: (item[0][0] or "~", item[0][1], item[0][2] or "")
        )
    ]
