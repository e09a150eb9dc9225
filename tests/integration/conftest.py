"""Fixtures shared by the integration tests of onboarding and verification."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from saas.dashboard.operations import refresh_tenant_summary
from saas.documents import operations as documents
from saas.documents.models import DocumentKind
from saas.microsite import operations as microsite
from saas.microsite.queries import get_public_page
from saas.onboarding.models import Registration, RegistrationStatus
from saas.storage import LocalStorage
from saas.tenants.models import Tenant
from saas.uploads import check_upload
from tests.factories import PDF_BYTES, fill_board


@pytest.fixture
def complete_alpha(db, tenants, app, regions_loaded):
    """Tenant A (in Kabupaten Sukabumi, Jawa Barat) with every checklist item done and its
    founding officer's email confirmed."""
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        microsite.save_profile(
            session,
            vision="Sejahtera bersama",
            mission="Sembako murah",
            village_potential=None,
            address="Jl. Desa 1",
            postal_code="43351",
            latitude=-6.9,
            longitude=107.6,
            phone=None,
            whatsapp="+6281100000001",
            email=None,
        )
        microsite.save_legal_identifiers(
            session,
            microsite.LegalIdentifiers(
                "AHU-0001234.AH.01.29.TAHUN 2025",
                date(2025, 8, 17),
                "0013000666091000",
                "1234567890123",
                None,
            ),
        )
        fill_board(session)
        storage = LocalStorage(app.extensions["guyub.settings"].instance_dir / "uploads")
        for kind in DocumentKind:
            documents.store_document(
                session,
                storage,
                owner=a.tenant.schema_name,
                kind=kind,
                original_name=f"{kind.value}.pdf",
                checked=check_upload(PDF_BYTES),
                uploaded_by=a.users["ketua"],
            )
        page = get_public_page(session)
    with db.platform_session() as session:
        session.add(
            Registration(
                tenant_id=a.tenant.id,
                status=RegistrationStatus.FINISHED,
                step=3,
                officer_name="Ana Alpha",
                officer_email="ana@kopalpha.id",
                email_confirmed_at=datetime.now(UTC),
                region_code="32.02.01.2001",
            )
        )
        tenant = session.get(Tenant, a.tenant.id)
        tenant.region_code = "32.02.01.2001"
        tenant.region_label = "Desa Uji, Kec. Palabuhanratu, Kabupaten Sukabumi, Jawa Barat"
        refresh_tenant_summary(session, a.tenant.id, page)
    return a
