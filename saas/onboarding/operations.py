"""The only code that writes registrations: each wizard step, finishing, confirming the email.

Operations flush and leave the commit to their caller (the request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.accounts import operations as accounts
from saas.accounts.models import TenantUser
from saas.accounts.roles import Role
from saas.config import Settings
from saas.dashboard.operations import refresh_tenant_summary
from saas.db import Databases
from saas.microsite import operations as microsite
from saas.microsite.queries import get_public_page
from saas.onboarding.models import Registration, RegistrationStatus
from saas.regions import queries as regions
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.provisioning import is_slug_taken, provision_tenant
from saas.tenants.rules import SlugError, check_slug, normalise_slug


class RegistrationError(ValueError):
    """A step cannot be saved; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CooperativeDetails:
    name: str
    slug: str
    sk_ahu_number: str
    sk_ahu_date: date
    npwp: str
    nib: str
    nik_koperasi: str | None


@dataclass(frozen=True)
class OfficerDetails:
    name: str
    role: Role
    email: str
    phone: str
    password: str
    locale: str | None = None  # the language the officer registered in becomes theirs


def get_registration(session: Session, public_id: str | None) -> Registration | None:
    """A registration still in progress, by the id its visitor's session holds."""
    if not public_id:
        return None
    return session.scalars(select(Registration).where(Registration.public_id == public_id)).first()


def start_registration(session: Session) -> Registration:
    registration = Registration()
    session.add(registration)
    session.flush()
    return registration


def find_tenant_for_village(session: Session, region_code: str) -> Tenant | None:
    return session.scalars(
        select(Tenant).where(
            Tenant.region_code == region_code,
            Tenant.status.in_([TenantStatus.ACTIVE, TenantStatus.SUSPENDED]),
        )
    ).first()


def save_region(session: Session, registration: Registration, village_code: str) -> None:
    """Step 1: the village. A village that already has a cooperative is flagged, not refused."""
    _check_draft(registration)
    existing = find_tenant_for_village(session, village_code)
    registration.region_code = village_code
    registration.same_village_tenant_id = existing.id if existing else None
    registration.step = max(registration.step, 1)
    session.flush()


def save_cooperative(
    session: Session, registration: Registration, details: CooperativeDetails
) -> None:
    """Step 2: name, web address and legal identifiers (already normalised by the form)."""
    _check_draft(registration)
    slug = normalise_slug(details.slug)
    check_slug(slug)
    if is_slug_taken(session, slug):
        raise SlugError("taken")
    registration.cooperative_name = details.name.strip()
    registration.slug = slug
    registration.sk_ahu_number = details.sk_ahu_number
    registration.sk_ahu_date = details.sk_ahu_date
    registration.npwp = details.npwp
    registration.nib = details.nib
    registration.nik_koperasi = details.nik_koperasi
    registration.step = max(registration.step, 2)
    session.flush()


def finish_registration(
    databases: Databases,
    settings: Settings,
    session: Session,
    registration: Registration,
    officer: OfficerDetails,
) -> tuple[Tenant, TenantUser]:
    """Step 3: provision the cooperative at once and make the founding officer its first user.

    The registration row stays locked until the caller commits the tenant recorded on it
    (provisioning commits its own steps), so a double-tapped submit waits and then gets the same
    tenant and officer. The officer is committed in the new schema before that: the shard and
    the platform database cannot share a transaction, and a finished registration must find its
    officer.
    """
    locked = session.scalars(
        select(Registration).where(Registration.id == registration.id).with_for_update()
    ).one()
    if locked.tenant_id is not None:
        return _finished(databases, session, locked)
    if locked.step < 2 or not locked.slug or not locked.cooperative_name:
        raise RegistrationError("incomplete")
    locked.officer_name = officer.name.strip()
    locked.officer_role = officer.role
    locked.officer_email = accounts.normalise_email(officer.email)
    locked.officer_phone = officer.phone
    tenant = provision_tenant(
        databases,
        settings,
        slug=locked.slug,
        display_name=locked.cooperative_name,
        region_code=locked.region_code,
    )
    assert tenant.schema_name is not None
    with databases.tenant_session(tenant.shard, tenant.schema_name) as tenant_session:
        user = accounts.create_tenant_user(
            tenant_session,
            name=officer.name,
            email=officer.email,
            role=officer.role,
            password=officer.password,
            phone=officer.phone,
        )
        if officer.locale:
            accounts.set_locale(tenant_session, user, officer.locale)
        microsite.save_legal_identifiers(
            tenant_session,
            microsite.LegalIdentifiers(
                sk_ahu_number=locked.sk_ahu_number,
                sk_ahu_date=locked.sk_ahu_date,
                npwp=locked.npwp,
                nib=locked.nib,
                nik_koperasi=locked.nik_koperasi,
            ),
        )
        page = get_public_page(tenant_session)
        tenant_session.commit()  # a step's durability boundary: the officer exists
    registered = session.get(Tenant, tenant.id)
    assert registered is not None
    path = regions.get_path(session, locked.region_code or "")
    registered.region_label = regions.village_label(path) if path else None
    locked.tenant_id = tenant.id
    locked.status = RegistrationStatus.FINISHED
    locked.step = 3
    refresh_tenant_summary(session, tenant.id, page)
    return tenant, user


def _finished(
    databases: Databases, session: Session, registration: Registration
) -> tuple[Tenant, TenantUser]:
    tenant = session.get(Tenant, registration.tenant_id)
    assert tenant is not None
    assert tenant.schema_name is not None
    with databases.tenant_session(tenant.shard, tenant.schema_name) as tenant_session:
        user = accounts.find_tenant_user_by_login(tenant_session, registration.officer_email or "")
    assert user is not None
    return tenant, user


def find_registration_of_tenant(session: Session, tenant_id: int) -> Registration | None:
    return session.scalars(select(Registration).where(Registration.tenant_id == tenant_id)).first()


def get_tenant_of(session: Session, registration: Registration) -> Tenant | None:
    return session.get(Tenant, registration.tenant_id) if registration.tenant_id else None


def confirm_email(session: Session, registration: Registration, email: str) -> bool:
    """Mark the officer's email confirmed if the link was made for the current address."""
    if registration.officer_email != accounts.normalise_email(email):
        return False
    if registration.email_confirmed_at is None:
        registration.email_confirmed_at = datetime.now(UTC)
        session.flush()
    return True


def _check_draft(registration: Registration) -> None:
    if registration.status != RegistrationStatus.DRAFT:
        raise RegistrationError("finished")
