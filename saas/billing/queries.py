"""Reading plans and a cooperative's subscription, and the terms it has now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from saas import clock
from saas.billing.models import Plan, PlanPrice, Subscription
from saas.billing.rules import FREE_PLAN, paid_terms_hold


@dataclass(frozen=True)
class Terms:
    """What the cooperative may use today (limits of None mean unlimited)."""

    plan: Plan
    paused: bool  # a paid plan whose extras are paused (its payment failed past the grace)

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
    """The plan whose terms hold for the cooperative now: the free plan's unless a paid one is
    live and not past its grace period."""
    subscription = get_subscription(session, tenant_id)
    if subscription is None or subscription.status is None:
        return Terms(get_plan(session, FREE_PLAN), paused=False)
    if paid_terms_hold(subscription.status, subscription.grace_until, clock.now()):
        return Terms(subscription.plan, paused=False)
    paused = subscription.plan.code != FREE_PLAN and subscription.status != "canceled"
    return Terms(get_plan(session, FREE_PLAN), paused=paused)
