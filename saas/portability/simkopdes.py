"""The cooperative's members, savings bills and profile in SIMKOPDES's fields.

SIMKOPDES publishes no import layout, so these files follow what the official platform records
(docs/domain.md of the programme, "What the official platform records"): a member's NIK,
region, gender, KTP image and selfie, member number, position, job, exit and its reason, status,
pokok and wajib amounts and 3x4 photo; a bill's type, period, amount, virtual account and
status; the profile's name, working area, legal form, region, address, pokok and wajib amounts,
subdomain, NIK koperasi, SK number, coordinates, about, logo, NIB and NPWP. Columns are named as
the platform's forms name them, in Indonesian; what Guyub does not keep (selfie, job, virtual
account, capital, grant fund) stays as an empty column, so a sheet maps one to one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.ledger.models import Account, JournalLine
from saas.members.models import Member, MemberStatus
from saas.microsite.models import CooperativeProfile
from saas.savings.models import SAVINGS_ROLES, Bill, BillItem, Receipt, SavingsKind, SavingsSettings
from saas.tenants.models import Tenant

MEMBER_FIELDS = (
    "nik",
    "nama",
    "kode_wilayah",
    "jenis_kelamin",
    "tanggal_lahir",
    "alamat",
    "desa",
    "no_hp",
    "nomor_anggota",
    "jabatan",
    "pekerjaan",
    "tanggal_masuk",
    "status",
    "tanggal_keluar",
    "alasan_keluar",
    "simpanan_pokok",
    "simpanan_wajib",
    "foto_ktp",
    "foto_selfie_ktp",
    "foto_3x4",
)
BILL_FIELDS = (
    "nomor_anggota",
    "nik",
    "nama",
    "jenis_simpanan",
    "periode",
    "nominal",
    "virtual_account",
    "status",
    "nomor_kuitansi",
    "tanggal_bayar",
)
PROFILE_FIELDS = (
    "nama_koperasi",
    "wilayah_kerja",
    "bentuk_badan_hukum",
    "kode_wilayah",
    "alamat",
    "kode_pos",
    "modal",
    "simpanan_pokok",
    "simpanan_wajib",
    "dana_hibah",
    "subdomain",
    "nik_koperasi",
    "nomor_sk_ahu",
    "tanggal_sk_ahu",
    "latitude",
    "longitude",
    "tentang",
    "logo",
    "nib",
    "npwp",
    "email",
    "telepon",
)
STATUS = {MemberStatus.ACTIVE: "aktif", MemberStatus.LEFT: "keluar"}


def attachment_path(key: str | None) -> str:
    """Where the archive keeps a stored file (empty when there is none)."""
    return f"attachments/{key}" if key else ""


def _paid_in(session: Session) -> dict[tuple[int | None, SavingsKind], int]:
    """Each member's balance of pokok and wajib, in one query over the savings accounts."""
    wanted = {role: kind for role, kind in SAVINGS_ROLES.items() if kind != SavingsKind.SUKARELA}
    rows = session.execute(
        select(
            JournalLine.member_id, Account.role, func.sum(JournalLine.credit - JournalLine.debit)
        )
        .join(Account, Account.id == JournalLine.account_id)
        .where(JournalLine.member_id.is_not(None), Account.role.in_(wanted))
        .group_by(JournalLine.member_id, Account.role)
    )
    return {(member_id, wanted[str(role)]): int(total) for member_id, role, total in rows}


def member_rows(session: Session, tenant: Tenant) -> Iterator[tuple[Any, ...]]:
    paid = _paid_in(session)
    for member in session.scalars(select(Member).order_by(Member.id)):
        yield (
            member.nik,
            member.name,
            tenant.region_code or "",
            member.gender.value if member.gender else "",
            member.birth_date or "",
            member.address or "",
            member.village or "",
            member.phone or "",
            member.number,
            "Anggota",
            "",
            member.join_date,
            STATUS[member.status],
            member.left_on or "",
            member.exit_reason or "",
            paid.get((member.id, SavingsKind.POKOK), 0),
            paid.get((member.id, SavingsKind.WAJIB), 0),
            attachment_path(member.ktp_photo_key),
            "",
            "",
        )


def bill_rows(session: Session) -> Iterator[tuple[Any, ...]]:
    rows = session.execute(
        select(Member, Bill, BillItem, Receipt)
        .join(BillItem, BillItem.member_id == Member.id)
        .join(Bill, Bill.id == BillItem.bill_id)
        .outerjoin(Receipt, Receipt.id == BillItem.receipt_id)
        .order_by(Bill.year, Bill.month, Bill.kind, Member.number)
    )
    for member, bill, item, receipt in rows:
        yield (
            member.number,
            member.nik,
            member.name,
            bill.kind.value,
            f"{bill.year}-{bill.month:02d}",
            item.amount,
            "",
            "lunas" if receipt is not None else "belum",
            receipt.number if receipt is not None else "",
            receipt.paid_on if receipt is not None else "",
        )


def profile_rows(session: Session, tenant: Tenant) -> Iterator[tuple[Any, ...]]:
    profile = session.get(CooperativeProfile, 1) or CooperativeProfile()
    amounts = session.get(SavingsSettings, 1)
    yield (
        tenant.display_name,
        tenant.region_label or "",
        "Koperasi",
        tenant.region_code or "",
        profile.address or "",
        profile.postal_code or "",
        "",
        amounts.pokok_amount if amounts else "",
        amounts.wajib_amount if amounts else "",
        "",
        tenant.slug,
        profile.nik_koperasi or "",
        profile.sk_ahu_number or "",
        profile.sk_ahu_date or "",
        profile.latitude if profile.latitude is not None else "",
        profile.longitude if profile.longitude is not None else "",
        profile.vision or "",
        attachment_path(profile.logo_key),
        profile.nib or "",
        profile.npwp or "",
        profile.email or "",
        profile.phone or "",
    )
