"""Reading plans and a cooperative's subscription, and the terms it has now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, literal, select, true
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


def _cooperative_plans(on: date, free_plan: str) -> Select[Any]:
    """Each active cooperative with the plan that holds on ``on`` (its live paid plan, else a
    running sponsorship's, else the free plan), its sponsor and its MRR in rupiah."""
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
    paid = Subscription.status.in_(PAID_STATUSES)
    plan = case((paid, Plan.name), else_=func.coalesce(running.c.name, literal(free_plan)))
    mrr = case(
        (paid & (Subscription.period == "month"), PlanPrice.amount),
        (paid, PlanPrice.amount / 12),  # a year's price over twelve, in whole rupiah
        else_=0,
    )
    return (
        select(
            Tenant.id,
            Tenant.slug,
            Tenant.display_name.label("name"),
            Tenant.region_code,
            plan.label("plan"),
            Subscription.period,
            Subscription.status,
            running.c.sponsor,
            func.coalesce(mrr, 0).label("mrr"),
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
    )


def list_cooperative_billing(session: Session, on: date) -> list[CooperativeBilling]:
    """Every active cooperative's plan, status, sponsor and MRR, in one query."""
    plans = _cooperative_plans(on, get_plan(session, FREE_PLAN).name).subquery()
    rows = session.execute(select(plans).order_by(plans.c.name, plans.c.id))
    return [
        CooperativeBilling(
            slug=row.slug,
            name=row.name,
            region_code=row.region_code,
            plan=row.plan,
            period=row.period,
            status=row.status,
            sponsor=row.sponsor,
            mrr=int(row.mrr),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class PlanCount:
    """How many cooperatives of a province are on a plan, who pays for it, and their MRR."""

    province: str | None  # the province's code, None for cooperatives not placed yet
    plan: str
    sponsor: str | None
    cooperatives: int
    mrr: int  # whole rupiah a month: for the admins only


def count_plans(session: Session, on: date) -> list[PlanCount]:
    """The active cooperatives counted by province, plan and sponsor, summed in the database."""
    plans = _cooperative_plans(on, get_plan(session, FREE_PLAN).name).subquery()
    code = func.split_part(plans.c.region_code, ".", 1)
    province = case((plans.c.region_code.is_(None), None), else_=code).label("province")
    rows = session.execute(
        select(
            province,
            plans.c.plan,
            plans.c.sponsor,
            func.count().label("cooperatives"),
            func.sum(plans.c.mrr).label("mrr"),
        )
        .group_by(province, plans.c.plan, plans.c.sponsor)
        .order_by(
            province.is_(None),
            province,
            plans.c.plan,
            plans.c.sponsor.is_not(None),
            plans.c.sponsor,
        )
    )
    return [
        PlanCount(row.province, row.plan, row.sponsor, int(row.cooperatives), int(row.mrr or 0))
        for row in rows
    ]


@dataclass(frozen=True)
class SponsorCount:
    """How many cooperatives a sponsor pays a plan for (None: those nobody sponsors)."""

    sponsor: str | None
    cooperatives: int
    mrr: int  # whole rupiah a month: for the admins only


def count_by_sponsor(counts: list[PlanCount]) -> list[SponsorCount]:
    """The counts of :func:`count_plans` added up by sponsor, the sponsored first."""
    cooperatives: Counter[str | None] = Counter()
    mrr: Counter[str | None] = Counter()
    for count in counts:
        cooperatives[count.sponsor] += count.cooperatives
        mrr[count.sponsor] += count.mrr
    return [
        SponsorCount(sponsor, cooperatives[sponsor], mrr[sponsor])
        for sponsor in sorted(cooperatives, key=lambda name: (name is None, name or ""))
    ]
