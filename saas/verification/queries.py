"""Reading verification state: the admins' queue and what a reviewer sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.accounts.models import PlatformAdmin
from saas.db import Databases
from saas.documents.operations import list_current_documents
from saas.microsite import operations as microsite
from saas.tenants.models import Tenant
from saas.verification.models import Application, VerificationEvent, VerificationStatus

QUEUE_LIMIT = 200


@dataclass(frozen=True)
class QueueRow:
    application: Application
    tenant: Tenant
    claimed_by: str | None
    waiting_days: int


def list_queue(
    session: Session,
    *,
    statuses: tuple[VerificationStatus, ...] = (
        VerificationStatus.SUBMITTED,
        VerificationStatus.IN_REVIEW,
    ),
    region_prefix: str | None = None,
    waiting_more_than_days: int | None = None,
) -> list[QueueRow]:
    """Applications, longest waiting first, with the tenant and who holds each; one query."""
    now = datetime.now(UTC)
    query = (
        select(Application, Tenant, PlatformAdmin.name)
        .join(Tenant, Tenant.id == Application.tenant_id)
        .outerjoin(PlatformAdmin, PlatformAdmin.id == Application.claimed_by_id)
        .where(Application.status.in_(statuses))
    )
    if region_prefix:
        escaped = region_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Application.region_code.like(escaped + ".%", escape="\\"))
    if waiting_more_than_days is not None:
        query = query.where(
            Application.waiting_since < now - timedelta(days=waiting_more_than_days)
        )
    rows = session.execute(query.order_by(Application.waiting_since).limit(QUEUE_LIMIT))
    return [
        QueueRow(application, tenant, holder, (now - application.waiting_since).days)
        for application, tenant, holder in rows
    ]


def get_application_for_admin(session: Session, application_id: int) -> Application | None:
    return session.get(Application, application_id)


def list_events(
    session: Session, application_id: int
) -> list[tuple[VerificationEvent, str | None]]:
    rows = session.execute(
        select(VerificationEvent, PlatformAdmin.name)
        .outerjoin(PlatformAdmin, PlatformAdmin.id == VerificationEvent.admin_id)
        .where(VerificationEvent.application_id == application_id)
        .order_by(VerificationEvent.id.desc())
    )
    return [(event, name) for event, name in rows]


@dataclass(frozen=True)
class ReturnedItem:
    """An item the last return flagged: the reviewer's note and the item's fingerprint then."""

    note: str
    fingerprint: str | None


def find_returned_items(
    session: Session, application: Application | None
) -> dict[str, ReturnedItem]:
    """The items a returned application must fix, from the decision that returned it."""
    if application is None or application.status != VerificationStatus.RETURNED:
        return {}
    verdicts = session.scalar(
        select(VerificationEvent.verdicts)
        .where(
            VerificationEvent.application_id == application.id,
            VerificationEvent.action == "returned",
        )
        .order_by(VerificationEvent.id.desc())
        .limit(1)
    )
    return {
        item: ReturnedItem(verdict.get("note") or "", verdict.get("fingerprint"))
        for item, verdict in (verdicts or {}).items()
        if not verdict.get("ok")
    }


def load_review_content(databases: Databases, tenant: Tenant) -> dict[str, Any]:
    """Everything a reviewer judges, read from the tenant's own schema (admin pages only)."""
    assert tenant.schema_name is not None
    with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
        return read_review_content(session)


def read_review_content(session: Session) -> dict[str, Any]:
    """Everything a reviewer judges, from a session in the cooperative's schema."""
    profile = microsite.get_profile(session)
    fields = (
        "vision",
        "mission",
        "address",
        "postal_code",
        "latitude",
        "longitude",
        "phone",
        "whatsapp",
        "email",
    )
    legal = ("sk_ahu_number", "sk_ahu_date", "npwp", "nib", "nik_koperasi")
    return {
        "profile": {name: getattr(profile, name, None) for name in fields},
        "legal": {name: getattr(profile, name, None) for name in legal},
        "board": [
            {
                "position": m.position.value,
                "name": m.name,
                "phone": m.phone,
                "village_official": m.is_village_official,
                "related": m.is_related_to_board,
            }
            for m in microsite.list_board(session)
        ],
        "units": [
            {
                "kind": u.kind.value,
                "name": u.name,
                "status": u.status.value,
                "description": u.description,
                "hours": u.opening_hours,
            }
            for u in microsite.list_units(session)
        ],
        "documents": {
            kind.value: {
                "id": d.id,
                "name": d.original_name,
                "type": d.content_type,
                "size": d.size,
                "key": d.storage_key,
            }
            for kind, d in list_current_documents(session).items()
        },
    }
