"""The demo cooperative's public face: what a newcomer should see of a cooperative that is set up.

A complete profile, board, business units and legal documents, news with photos, products, and
KODE Indonesia's verification, so the demo is in the directory and the national figures. Every
step runs once: a second run finds it done and changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import escape
from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.accounts.models import PlatformAdmin, TenantUser
from saas.documents import operations as documents
from saas.documents.models import DocumentKind
from saas.microsite import operations as microsite
from saas.microsite.models import Position, UnitKind, UnitStatus
from saas.onboarding.models import Registration, RegistrationStatus
from saas.pdf import render_pdf
from saas.storage import Storage
from saas.tenants.models import Tenant
from saas.uploads import CheckedFile, check_upload
from saas.verification import operations as verification
from saas.verification.rules import REVIEW_ITEMS, Verdict, content_fingerprint

# Desa Sukamaju, Kecamatan Kadudampit, Kabupaten Sukabumi (Kepmendagri 2025).
REGION_CODE = "32.02.30.2008"
REGION_LABEL = "Desa Sukamaju, Kec. Kadudampit, Kab. Sukabumi, Jawa Barat"

BOARD = (
    (Position.KETUA, "Siti Rahmawati", False),
    (Position.WAKIL_KETUA_USAHA, "Asep Hidayat", False),
    (Position.WAKIL_KETUA_ANGGOTA, "Neneng Suryani", False),
    (Position.SEKRETARIS, "Rina Marlina", False),
    (Position.BENDAHARA, "Budi Santoso", False),
    (Position.KETUA_PENGAWAS, "Pak Kades Wiryo", True),  # the Kepala Desa, ex officio
    (Position.ANGGOTA_PENGAWAS, "Ujang Permana", False),
)
UNITS = (  # (kind, name, status, description, opening hours)
    (
        UnitKind.KANTOR,
        "Kantor Koperasi",
        UnitStatus.RUNNING,
        "Pendaftaran anggota, setoran simpanan dan informasi koperasi.",
        "Senin-Jumat 08.00-15.00",
    ),
    (
        UnitKind.SEMBAKO,
        "Gerai Sembako Sukamaju",
        UnitStatus.RUNNING,
        "Beras, minyak goreng, gula dan telur dengan harga anggota.",
        "Setiap hari 07.00-20.00",
    ),
    (
        UnitKind.LPG,
        "Pangkalan LPG 3 kg",
        UnitStatus.RUNNING,
        "Elpiji 3 kg sesuai HET untuk warga Sukamaju.",
        "Setiap hari 07.00-17.00",
    ),
    (
        UnitKind.APOTEK,
        "Apotek Desa",
        UnitStatus.PLANNED,
        "Obat-obatan dasar bekerja sama dengan Puskesmas Kadudampit.",
        None,
    ),
    (
        UnitKind.GUDANG,
        "Gudang Hasil Tani",
        UnitStatus.PLANNED,
        "Penyimpanan gabah dan kopi petani anggota sebelum dijual bersama.",
        None,
    ),
)
NEWS = (  # (title, body, photo colours)
    (
        "Gerai sembako resmi dibuka",
        "Gerai sembako koperasi di samping balai desa kini buka setiap hari.\n\n"
        "Anggota mendapat harga khusus untuk beras, minyak goreng dan gula.",
        ((214, 69, 65), (244, 208, 63)),
    ),
    (
        "Rapat Anggota Tahunan",
        "Rapat Anggota Tahunan mengesahkan laporan keuangan dan pembagian SHU.\n\n"
        "Laporan keuangan yang disahkan dapat dilihat di halaman laporan keuangan.",
        ((39, 96, 146), (130, 190, 230)),
    ),
    (
        "Pelatihan pembukuan untuk pengurus",
        "Pendamping dari KODE Indonesia melatih pengurus mencatat simpanan dan kas harian.",
        ((46, 125, 50),),
    ),
)
PRODUCTS = (  # (name, description, price in rupiah, unit, seller, photo colour)
    (
        "Beras Pandan Wangi",
        "Beras petani Sukamaju, giling sendiri.",
        72_000,
        "karung 5 kg",
        None,
        (240, 232, 200),
    ),
    (
        "Gula aren",
        "Gula aren cetak dari pohon aren Kadudampit.",
        25_000,
        "kg",
        "Bu Euis",
        (120, 72, 40),
    ),
    (
        "Kopi robusta",
        "Biji kopi robusta sangrai, kebun lereng Gede Pangrango.",
        45_000,
        "250 g",
        "Kelompok Tani Mekar",
        (80, 50, 30),
    ),
)


def seed_public_face(
    session: Session, storage: Storage, schema_name: str, ketua: TenantUser
) -> Iterator[str]:
    """Profile, board, units, documents, news and products, each once."""
    profile = microsite.get_profile(session)
    if profile is None or not profile.vision:
        _seed_profile(session)
        session.commit()
        yield "filled in the demo's profile and legal identifiers"
    if not microsite.list_board(session):
        for position, name, village_official in BOARD:
            microsite.save_board_member(
                session,
                None,
                position=position,
                name=name,
                phone=None,
                is_village_official=village_official,
                is_related_to_board=False,
            )
        session.commit()
        yield "added the demo's board and supervisors"
    if not microsite.list_units(session):
        for kind, name, status, description, hours in UNITS:
            unit = microsite.save_unit(
                session,
                None,
                kind=kind,
                name=name,
                status=status,
                description=description,
                opening_hours=hours,
            )
            if status == UnitStatus.RUNNING:
                microsite.set_photo(
                    session, storage, unit, photo((90, 140, 90)), schema_name=schema_name
                )
        session.commit()
        yield "described the demo's business units"
    if not documents.list_current_documents(session):
        for document in DocumentKind:
            documents.store_document(
                session,
                storage,
                owner=schema_name,
                kind=document,
                original_name=f"{document.value}.pdf",
                checked=check_upload(sample_pdf(f"{document.value.upper()} - contoh untuk demo")),
                uploaded_by=ketua,
            )
        session.commit()
        yield "uploaded the demo's legal documents"
    yield from _seed_news_and_products(session, storage, schema_name)


def _seed_profile(session: Session) -> None:
    microsite.save_profile(
        session,
        vision="Warga Sukamaju sejahtera lewat usaha bersama yang jujur dan terbuka.",
        mission="Menyediakan sembako dan elpiji dengan harga wajar, menampung hasil tani "
        "anggota, dan melaporkan keuangan kepada anggota setiap tahun.",
        village_potential="Kopi robusta dan gula aren di lereng Gede Pangrango, sawah tadah "
        "hujan, dan wisata curug.",
        address="Jl. Raya Kadudampit No. 12, Sukamaju",
        postal_code="43153",
        latitude=Decimal("-6.855400"),
        longitude=Decimal("106.936700"),
        phone=None,
        whatsapp="+6281234567000",
        email="koperasi@sukamaju.id",
    )
    microsite.save_legal_identifiers(
        session,
        microsite.LegalIdentifiers(
            sk_ahu_number="AHU-0012345.AH.01.29.TAHUN 2025",
            sk_ahu_date=date(2025, 7, 21),
            npwp="0013000666091000",
            nib="9120001234567",
            nik_koperasi=None,
        ),
    )


def _seed_news_and_products(session: Session, storage: Storage, schema_name: str) -> Iterator[str]:
    if not microsite.list_news(session):
        for title, body, colours in reversed(NEWS):  # the first is the newest
            post = microsite.save_news(session, None, title=title, body=body)
            microsite.add_news_photos(
                session, storage, post, [photo(c) for c in colours], schema_name=schema_name
            )
        session.commit()
        yield "posted the demo's news with photos"
    if not microsite.list_products(session):
        for name, description, price, unit, seller, colour in PRODUCTS:
            product = microsite.save_product(
                session,
                None,
                name=name,
                description=description,
                price=price,
                unit=unit,
                seller=seller,
                is_available=True,
            )
            microsite.set_photo(session, storage, product, photo(colour), schema_name=schema_name)
        session.commit()
        yield "listed the demo's products"


def seed_verification(
    platform: Session, tenant: Tenant, content: dict[str, Any], officer_email: str
) -> Iterator[str]:
    """The village, a confirmed registration and KODE Indonesia's approval, each once."""
    if tenant.region_code is None:
        tenant.region_code, tenant.region_label = REGION_CODE, REGION_LABEL
        platform.commit()
        yield f"placed the demo in {REGION_LABEL}"
    if platform.scalar(select(Registration.id).where(Registration.tenant_id == tenant.id)) is None:
        platform.add(
            Registration(
                tenant_id=tenant.id,
                status=RegistrationStatus.FINISHED,
                step=3,
                region_code=REGION_CODE,
                cooperative_name=tenant.display_name,
                slug=tenant.slug,
                officer_name="Siti Rahmawati",
                officer_email=officer_email,
                officer_phone="+6281234567000",
                email_confirmed_at=datetime.now(UTC),
            )
        )
        platform.commit()
        yield "recorded the demo's registration"
    if verification.get_application_of_tenant(platform, tenant.id) is None:
        admin = platform.scalars(select(PlatformAdmin).order_by(PlatformAdmin.id)).first()
        assert admin is not None
        application = verification.submit_for_verification(
            platform, tenant, complete=True, content=content
        )
        verification.claim_review(platform, application.id, admin)
        verification.decide(
            platform,
            application.id,
            admin,
            approve=True,
            verdicts={item: Verdict(ok=True, note="") for item in REVIEW_ITEMS},
            notes="",
            seen_version=application.version,
            seen_fingerprint=content_fingerprint(content),
            content=content,
        )
        platform.commit()
        yield "verified the demo"


def photo(colour: tuple[int, int, int]) -> CheckedFile:
    """A simple landscape in ``colour`` (field, hill, sun), so the demo's pages show pictures."""
    image = Image.new("RGB", (960, 640), (200, 225, 240))
    draw = ImageDraw.Draw(image)
    shade = tuple(max(0, c - 40) for c in colour)
    draw.polygon([(0, 440), (320, 220), (680, 440)], fill=shade)
    draw.rectangle((0, 420, 960, 640), fill=colour)
    draw.ellipse((760, 60, 870, 170), fill=(250, 210, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return check_upload(out.getvalue(), allow_pdf=False)


def sample_pdf(title: str) -> bytes:
    """A one-page PDF saying ``title``, made as every document of the app is."""
    return render_pdf(f"<!doctype html><h1>{escape(title)}</h1>")
