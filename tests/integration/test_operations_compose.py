"""Operations outside the books flush and leave the commit to their caller: two of them form one
unit of work, and rolling it back leaves nothing of either."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.accounts import operations as accounts
from saas.accounts.models import Invitation, TenantUser
from saas.accounts.roles import GRANTS, Permission, Role
from saas.dashboard.models import TenantSummary
from saas.dashboard.operations import refresh_tenant_summary
from saas.documents import operations as documents
from saas.documents.models import Document, DocumentKind
from saas.microsite import operations as microsite
from saas.microsite.models import BoardMember, BusinessUnit, Position, UnitKind, UnitStatus
from saas.microsite.queries import get_public_page
from saas.onboarding import operations as onboarding
from saas.onboarding.models import Registration
from saas.storage import LocalStorage
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.operations import resume_tenant, suspend_tenant
from saas.uploads import check_upload
from saas.verification import operations as verification
from saas.verification.models import Application
from saas.verification.queries import read_review_content
from tests.factories import PDF_BYTES, jpeg

VILLAGE = "32.02.01.2001"


def count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


@pytest.fixture
def storage(app):
    return LocalStorage(app.extensions["guyub.settings"].instance_dir / "uploads")


def test_a_rolled_back_account_and_invitation_leave_no_row(db, tenants):
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        user = accounts.create_tenant_user(
            session, name="Rina Rollback", email="rina@kopalpha.id", role=Role.STAFF, password=None
        )
        accounts.invite_colleague(
            session,
            inviter=user,
            name="Tono Rollback",
            email="tono@kopalpha.id",
            role=Role.STAFF,
            valid_for=timedelta(days=7),
        )
        session.rollback()
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        assert count(session, TenantUser, TenantUser.email == "rina@kopalpha.id") == 0
        assert count(session, Invitation, Invitation.email == "tono@kopalpha.id") == 0


def test_a_refused_team_change_keeps_the_rest_of_the_callers_transaction(db, tenants):
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        managers = session.scalars(
            select(TenantUser)
            .where(TenantUser.is_active, TenantUser.role.in_(GRANTS[Permission.MANAGE_TEAM]))
            .order_by(TenantUser.id)
        ).all()
        actor, *others = managers
        for other in others:  # the actor becomes the last manager
            accounts.update_team_member(
                session, actor=actor, user=other, role=Role.STAFF, is_active=True
            )
        staff = session.scalars(select(TenantUser).where(TenantUser.role == Role.STAFF)).first()
        session.add(TenantUser(name="Sari Kept", email="sari@kopalpha.id", role=Role.STAFF))
        session.flush()  # written before the refused change, in the same transaction
        with pytest.raises(accounts.AccountError):
            accounts.update_team_member(
                session, actor=staff, user=actor, role=Role.STAFF, is_active=True
            )
        assert actor.role != Role.STAFF
        session.commit()
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        assert count(session, TenantUser, TenantUser.email == "sari@kopalpha.id") == 1


def test_rolled_back_board_and_unit_changes_leave_no_row(db, tenants):
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        microsite.save_board_member(
            session,
            None,
            position=Position.BENDAHARA,
            name="Budi Rollback",
            phone=None,
            is_village_official=False,
            is_related_to_board=False,
        )
        microsite.save_unit(
            session,
            None,
            kind=UnitKind.KLINIK,
            name="Gudang Rollback",
            status=UnitStatus.PLANNED,
            description=None,
            opening_hours=None,
        )
        session.rollback()
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        assert count(session, BoardMember, BoardMember.name == "Budi Rollback") == 0
        assert count(session, BusinessUnit, BusinessUnit.name == "Gudang Rollback") == 0


def test_a_replaced_photo_stays_in_storage_until_the_caller_deletes_it(db, tenants, storage):
    a = tenants.a
    photo = check_upload(jpeg((64, 48)), allow_pdf=False)
    owner = a.tenant.schema_name
    with db.tenant_session(a.tenant.shard, owner) as session:
        unit = session.get(BusinessUnit, a.units[0].id)
        microsite.set_photo(session, storage, unit, photo, schema_name=owner)
        old = unit.photo_key
        replaced = microsite.set_photo(session, storage, unit, photo, schema_name=owner)
        new = unit.photo_key
        session.rollback()  # had the operation deleted the old file, a rollback would lose it
    assert replaced == old
    assert storage.read(old)
    microsite.delete_public_images(storage, [old, new])
    with pytest.raises(FileNotFoundError):
        storage.read(old)


def test_a_rolled_back_upload_leaves_no_document_row(db, tenants, storage):
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        before = count(session, Document)
        documents.store_document(
            session,
            storage,
            owner=a.tenant.schema_name,
            kind=DocumentKind.SK_AHU,
            original_name="sk.pdf",
            checked=check_upload(PDF_BYTES),
            uploaded_by=a.users["ketua"],
        )
        session.rollback()
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        assert count(session, Document) == before


def test_a_rolled_back_registration_step_leaves_no_registration(db, regions_loaded):
    with db.platform_session() as session:
        registration = onboarding.start_registration(session)
        onboarding.save_region(session, registration, VILLAGE)
        public_id = registration.public_id
        session.rollback()
    with db.platform_session() as session:
        assert count(session, Registration, Registration.public_id == public_id) == 0


def test_a_rolled_back_submission_leaves_no_application(db, tenants):
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        content = read_review_content(session)
    with db.platform_session() as session:
        tenant = session.get(Tenant, a.tenant.id)
        verification.submit_for_verification(session, tenant, complete=True, content=content)
        session.rollback()
    with db.platform_session() as session:
        assert count(session, Application, Application.tenant_id == a.tenant.id) == 0


def test_a_rolled_back_suspension_and_resumption_leave_the_tenant_active(db, tenants):
    with db.platform_session() as session:
        tenant = session.get(Tenant, tenants.a.tenant.id)
        suspend_tenant(session, tenant, "audit")
        resume_tenant(session, tenant)
        suspend_tenant(session, tenant, "audit again")
        session.rollback()
    with db.platform_session() as session:
        assert session.get(Tenant, tenants.a.tenant.id).status == TenantStatus.ACTIVE


def test_a_rolled_back_summary_refresh_leaves_the_summary_as_it_was(db, tenants):
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        page = get_public_page(session)
    with db.platform_session() as session:
        before = count(session, TenantSummary, TenantSummary.tenant_id == a.tenant.id)
        refresh_tenant_summary(session, a.tenant.id, page)
        session.rollback()
    with db.platform_session() as session:
        assert count(session, TenantSummary, TenantSummary.tenant_id == a.tenant.id) == before
