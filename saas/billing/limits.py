"""A plan's limits, counted in the cooperative's own schema and checked where rows are added.

Limits only ever refuse adding more: nothing already kept is hidden or locked, money received
is always recorded, and statements, receipts and exports are never limited.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts.models import Invitation, TenantUser
from saas.accounts.roles import Role
from saas.billing import queries
from saas.billing.rules import over_limit
from saas.db import DATABASES_INFO, TENANT_SCHEMA, Databases, get_databases
from saas.members.models import Member, MemberStatus
from saas.tenants.models import Tenant

# A paid plan's extras, named as the plan's columns.
Feature = Literal["loans", "gerai", "custom_domain"]


class PlanLimitError(Exception):
    """Adding this would go past the plan's limit; ``what`` is "members" or "officers"."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(what)
        self.what = what
        self.limit = limit


class PlanFeatureError(Exception):
    """Starting something new that only a plan with ``feature`` covers."""

    def __init__(self, feature: Feature) -> None:
        super().__init__(feature)
        self.feature = feature


def active_members(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Member).where(Member.status == MemberStatus.ACTIVE)
        )
        or 0
    )


def officer_seats(session: Session) -> int:
    """Active officer accounts and open invitations (an invitation holds its seat)."""
    officers = session.scalar(
        select(func.count())
        .select_from(TenantUser)
        .where(TenantUser.is_active.is_(True), TenantUser.role != Role.ANGGOTA)
    )
    invited = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.role != Role.ANGGOTA,
        )
    )
    return int(officers or 0) + int(invited or 0)


def check_member_room(session: Session, limit: int | None, adding: int = 1) -> None:
    """Refuse registering ``adding`` more members past ``limit`` active ones."""
    if limit is not None and over_limit(active_members(session) + adding - 1, limit):
        raise PlanLimitError("members", limit)


def check_officer_room(session: Session, limit: int | None) -> None:
    """Refuse inviting one more officer past ``limit`` seats."""
    if limit is not None and over_limit(officer_seats(session), limit):
        raise PlanLimitError("officers", limit)


def plan_has(session: Session, feature: Feature) -> bool:
    """Whether the plan whose terms hold now for the cooperative of ``session`` (a session in
    its schema, made by ``Databases.tenant_session``) includes ``feature``.

    The platform is asked through the databases that made the session, so a job, a command or
    a script outside any request meets the same plan as a request does."""
    databases: Databases | None = session.info.get(DATABASES_INFO)
    if databases is None:
        databases = get_databases()  # a session made some other way, inside the application
    schema = session.connection().get_execution_options()["schema_translate_map"][TENANT_SCHEMA]
    with databases.platform_reader() as platform:
        tenant_id = platform.scalar(select(Tenant.id).where(Tenant.schema_name == schema))
        if tenant_id is None:
            raise LookupError(f"no cooperative has the schema {schema}")
        return bool(getattr(queries.terms_for(platform, tenant_id).plan, feature))


def require_feature(session: Session, feature: Feature) -> None:
    """Refuse starting something new with ``feature`` when the plan lacks it (or its payment
    failed past the grace period). Only starting is refused: whatever exists goes on."""
    if not plan_has(session, feature):
        raise PlanFeatureError(feature)
