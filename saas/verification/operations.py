"""The only code that writes verification state: submit, claim, decide, withdraw (each flushes;
the caller commits)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.accounts.models import PlatformAdmin
from saas.tenants.models import Tenant
from saas.verification.models import Application, VerificationEvent, VerificationStatus
from saas.verification.queries import find_returned_items
from saas.verification.rules import (
    CLAIM_MINUTES,
    REVIEW_ITEMS,
    Verdict,
    can_approve,
    content_fingerprint,
    item_fingerprints,
    needs_fixing,
    unchanged_items,
)

OPEN = (VerificationStatus.SUBMITTED, VerificationStatus.IN_REVIEW)


class VerificationError(ValueError):
    """The action is refused; ``code`` says why (incomplete, unchanged, already_open, approved,
    claimed, stale, not_claimed, not_in_review, not_all_judged, needs_notes, not_all_ok,
    not_verified)."""

    def __init__(self, code: str, who: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.who = who


def _now() -> datetime:
    return datetime.now(UTC)


def get_application_of_tenant(session: Session, tenant_id: int) -> Application | None:
    return session.scalars(select(Application).where(Application.tenant_id == tenant_id)).first()


def _log(
    session: Session,
    application: Application,
    action: str,
    *,
    admin: PlatformAdmin | None = None,
    notes: str | None = None,
    verdicts: dict[str, Verdict] | None = None,
    fingerprints: dict[str, str] | None = None,
) -> None:
    fingerprints = fingerprints or {}
    session.add(
        VerificationEvent(
            application_id=application.id,
            admin_id=admin.id if admin else None,
            action=action,
            notes=notes,
            verdicts=(
                {
                    item: {**asdict(v), "fingerprint": fingerprints.get(item)}
                    for item, v in verdicts.items()
                }
                if verdicts
                else None
            ),
        )
    )


def submit_for_verification(
    session: Session, tenant: Tenant, *, complete: bool, content: dict[str, Any]
) -> Application:
    """Put the cooperative in the queue (again, after a return); the checklist must be complete
    and every item the reviewer returned must have changed since."""
    if not complete:
        raise VerificationError("incomplete")
    application = session.scalars(
        select(Application).where(Application.tenant_id == tenant.id).with_for_update()
    ).first()
    if application is not None and application.status in OPEN:
        raise VerificationError("already_open")
    if application is not None and application.status == VerificationStatus.APPROVED:
        raise VerificationError("approved")
    returned = find_returned_items(session, application)
    if unchanged_items(
        {item: r.fingerprint for item, r in returned.items()}, item_fingerprints(content)
    ):
        raise VerificationError("unchanged")
    action = "resubmitted" if application else "submitted"
    if application is None:
        application = Application(tenant_id=tenant.id, version=0)
        session.add(application)
    application.status = VerificationStatus.SUBMITTED
    application.region_code = tenant.region_code
    application.waiting_since = _now()
    application.claimed_by_id = None
    application.claimed_at = None
    application.version += 1
    session.flush()
    _log(session, application, action)
    session.flush()
    return application


def _locked(session: Session, application_id: int) -> Application:
    application = session.get(
        Application, application_id, with_for_update=True, populate_existing=True
    )
    if application is None:
        raise LookupError(application_id)
    return application


def claim_review(session: Session, application_id: int, admin: PlatformAdmin) -> Application:
    """Take the application for review; another admin's fresh claim is respected."""
    application = _locked(session, application_id)
    if application.status not in OPEN:
        raise VerificationError("not_in_review")
    fresh = application.claimed_at and application.claimed_at > _now() - timedelta(
        minutes=CLAIM_MINUTES
    )
    if application.claimed_by_id not in (None, admin.id) and fresh:
        holder = session.get(PlatformAdmin, application.claimed_by_id)
        raise VerificationError("claimed", holder.name if holder else None)
    application.status = VerificationStatus.IN_REVIEW
    application.claimed_by_id = admin.id
    application.claimed_at = _now()
    _log(session, application, "claimed", admin=admin)
    session.flush()
    return application


def decide(
    session: Session,
    application_id: int,
    admin: PlatformAdmin,
    *,
    approve: bool,
    verdicts: dict[str, Verdict],
    notes: str,
    seen_version: int,
    seen_fingerprint: str,
    content: dict[str, Any],
) -> Application:
    """Approve, or return with notes; refused when the application changed since it was seen
    (``content`` is what the cooperative holds now) or an item has no verdict."""
    application = _locked(session, application_id)
    if application.status != VerificationStatus.IN_REVIEW:
        raise VerificationError("not_in_review")
    if application.claimed_by_id != admin.id:
        raise VerificationError("not_claimed")
    if application.version != seen_version or seen_fingerprint != content_fingerprint(content):
        raise VerificationError("stale")
    if set(verdicts) != set(REVIEW_ITEMS):
        raise VerificationError("not_all_judged")
    if approve and not can_approve(verdicts):
        raise VerificationError("not_all_ok")
    if not approve and not (
        needs_fixing(verdicts) and (notes.strip() or _has_item_notes(verdicts))
    ):
        raise VerificationError("needs_notes")
    now = _now()
    application.decided_at = now
    application.version += 1
    application.last_notes = notes.strip() or None
    tenant = session.get(Tenant, application.tenant_id)
    assert tenant is not None
    if approve:
        application.status = VerificationStatus.APPROVED
        application.verified_at = now
        tenant.verified_at = now
    else:
        application.status = VerificationStatus.RETURNED
    _log(
        session,
        application,
        "approved" if approve else "returned",
        admin=admin,
        notes=application.last_notes,
        verdicts=verdicts,
        fingerprints=item_fingerprints(content),
    )
    session.flush()
    return application


def _has_item_notes(verdicts: dict[str, Verdict]) -> bool:
    return any(v.note.strip() for v in verdicts.values() if not v.ok)


def withdraw_verification(
    session: Session, application_id: int, admin: PlatformAdmin, *, revoke: bool, reason: str
) -> Application:
    """Suspend or revoke a verified badge, with the reason on record."""
    if not reason.strip():
        raise VerificationError("needs_notes")
    application = _locked(session, application_id)
    if application.status != VerificationStatus.APPROVED:
        raise VerificationError("not_verified")
    application.status = VerificationStatus.REVOKED if revoke else VerificationStatus.SUSPENDED
    application.last_notes = reason.strip()
    application.version += 1
    tenant = session.get(Tenant, application.tenant_id)
    assert tenant is not None
    tenant.verified_at = None
    _log(
        session,
        application,
        "revoked" if revoke else "suspended",
        admin=admin,
        notes=application.last_notes,
    )
    session.flush()
    return application
