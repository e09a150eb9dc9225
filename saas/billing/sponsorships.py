"""Sponsored plans: a sponsor pays a plan for one cooperative or every one in a region.

Granting is the only write here, recorded in the billing audit log with the grant itself."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, literal, or_, select
from sqlalchemy.orm import Session

from saas.billing.models import BillingAuditEntry, Plan, Sponsorship
from saas.regions.queries import get_region
from saas.tenants.models import Tenant


class SponsorshipError(Exception):
    """A grant refused; ``code`` picks the message shown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Beneficiary:
    """Whom a grant covers: one cooperative, or every cooperative in a region."""

    tenant: Tenant | None = None
    region_code: str | None = None


def find_beneficiary(session: Session, who: str) -> Beneficiary:
    """A cooperative by its web address (slug), or a region by its dotted kode wilayah."""
    who = who.strip().lower()
    tenant = session.scalar(select(Tenant).where(Tenant.slug == who))
    if tenant is not None:
        return Beneficiary(tenant=tenant)
    if get_region(session, who) is not None:
        return Beneficiary(region_code=who)
    raise SponsorshipError("unknown_beneficiary")


def grant_sponsorship(
    session: Session,
    *,
    admin_id: int,
    plan: Plan,
    sponsor: str,
    beneficiary: Beneficiary,
    starts_on: date,
    ends_on: date,
) -> Sponsorship:
    """Record the grant and its audit entry; the plan's terms hold from ``starts_on``."""
    if ends_on < starts_on:
        raise SponsorshipError("ends_before_it_starts")
    sponsorship = Sponsorship(
        plan_id=plan.id,
        sponsor=" ".join(sponsor.split()),
        tenant_id=beneficiary.tenant.id if beneficiary.tenant else None,
        region_code=beneficiary.region_code,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by_id=admin_id,
    )
    session.add(sponsorship)
    session.flush()
    details = {
        "sponsorship": sponsorship.id,
        "plan": plan.code,
        "sponsor": sponsorship.sponsor,
        "tenant": beneficiary.tenant.slug if beneficiary.tenant else None,
        "region": beneficiary.region_code,
        "from": starts_on.isoformat(),
        "until": ends_on.isoformat(),
    }
    session.add(
        BillingAuditEntry(admin_id=admin_id, action="sponsor_granted", details=json.dumps(details))
    )
    session.flush()
    return sponsorship


def covers(
    tenant_id: SQLColumnExpression[int], region_code: SQLColumnExpression[str | None]
) -> ColumnElement[bool]:
    """A sponsorship covering the cooperative: its own, or its village's region's."""
    return or_(
        Sponsorship.tenant_id == tenant_id,
        Sponsorship.region_code == region_code,
        region_code.startswith(Sponsorship.region_code + literal(".")),
    )


def sponsorship_for(session: Session, tenant: Tenant, on: date) -> Sponsorship | None:
    """The running sponsorship with the best plan covering ``tenant`` on ``on``."""
    return session.scalar(
        select(Sponsorship)
        .join(Plan)
        .where(
            covers(literal(tenant.id), literal(tenant.region_code)),
            and_(Sponsorship.starts_on <= on, Sponsorship.ends_on >= on),
        )
        .order_by(Plan.position.desc(), Sponsorship.ends_on.desc())
        .limit(1)
    )


def list_sponsorships(session: Session) -> list[Sponsorship]:
    return list(session.scalars(select(Sponsorship).order_by(Sponsorship.granted_at.desc())))
