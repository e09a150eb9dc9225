"""The loan pages: products and the approval rule, applying with a preview, the rules' refusals
on the form, who decides, one payout however often it is sent, the agreement as a PDF, and a
member's own loans and nobody else's."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from saas.accounts.operations import create_tenant_user
from saas.accounts.roles import Role
from saas.blueprints.loans.application import show_refusal
from saas.blueprints.loans.forms import ApplicationForm
from saas.ledger.models import JournalEntry
from saas.loans import operations as loans
from saas.loans.models import Loan, LoanProduct, LoanSettings, LoanStatus
from saas.loans.schedule import Frequency, InterestMethod
from saas.members import operations as members
from saas.members.models import Member
from tests.factories import PASSWORD, books_of, csrf_from, hidden, login, text
from tests.integration.test_pages_in_indonesian import english_on

PRODUCT = loans.ProductTerms(
    name="Pinjaman Warung",
    method=InterestMethod.FLAT,
    frequency=Frequency.MONTHLY,
    rate_bp=1_800,
    min_instalments=3,
    max_instalments=12,
    min_amount=500_000,
    max_amount=2_000_000,
    admin_fee_bp=100,
    insurance_fee_bp=50,
    late_fee_per_day=1_000,
    grace_days=3,
)
STAFF_EMAIL = "sari@kopalpha.id"


@pytest.fixture
def product(db, tenants) -> LoanProduct:
    with books_of(db, tenants.a) as session:
        saved = loans.save_product(session, None, PRODUCT)
        session.expunge(saved)
        return saved


@pytest.fixture
def staff(db, tenants):
    with books_of(db, tenants.a) as session:
        create_tenant_user(
            session, name="Sari Kasir", email=STAFF_EMAIL, role=Role.STAFF, password=PASSWORD
        )


def client_of(client_for, email: str, lang: str = "id") -> FlaskClient:
    client = client_for("alpha", lang=lang)
    assert login(client, email).status_code == 302
    return client


def post_form(client: FlaskClient, page_url: str, data: dict, url: str | None = None):
    """Open ``page_url`` for its CSRF token, then post ``data`` to ``url`` (or the page)."""
    token = csrf_from(client.get(page_url))
    return client.post(url or page_url, data={"csrf_token": token, **data})


def loans_in_a(db, tenants) -> int:
    with books_of(db, tenants.a) as session:
        return session.scalar(select(func.count()).select_from(Loan)) or 0


def apply_url(member: Member) -> str:
    return f"/kelola/pinjaman/ajukan?anggota={member.id}"


def application(product: LoanProduct, **fields) -> dict:
    return {
        "product": str(product.id),
        "amount": "600.000",
        "instalments": "6",
        "purpose": "Modal warung",
        "ajukan": "1",
        **fields,
    }


def applied(client: FlaskClient, member: Member, product: LoanProduct, **fields) -> int:
    """Apply through the page; the new loan's id."""
    url = apply_url(member)
    response = post_form(client, url, application(product, **fields))
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


# -- products and the approval rule --------------------------------------------------------------


def test_a_product_takes_its_rate_with_a_decimal_comma_and_shows_it_again(client_for, db, tenants):
    ketua = client_of(client_for, "ana@kopalpha.id")
    response = post_form(
        ketua,
        "/kelola/pinjaman/produk/baru",
        {
            "name": "Pinjaman Tani",
            "method": "menurun",
            "rate": "1,5",
            "frequency": "monthly",
            "min_instalments": "3",
            "max_instalments": "24",
            "min_amount": "Rp 500.000",
            "max_amount": "5.000.000",
            "admin_fee": "0,75",
            "insurance_fee": "0",
            "late_fee_per_day": "2.000",
            "grace_days": "5",
            "payoff_rule": "current_interest",
            "requires_guarantor": "y",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        saved = session.scalar(select(LoanProduct).where(LoanProduct.name == "Pinjaman Tani"))
        assert (saved.rate_bp, saved.admin_fee_bp, saved.late_fee_per_day) == (150, 75, 2_000)
        assert saved.requires_guarantor
        assert saved.max_amount == 5_000_000
    page = text(ketua.get(f"/kelola/pinjaman/produk/{saved.id}"))
    assert 'value="1,5"' in page
    assert 'value="0,75"' in page
    assert "Pinjaman Tani" in text(ketua.get("/kelola/pinjaman/produk"))


def test_a_product_form_refuses_a_bad_percentage_and_no_maximum_and_writes_nothing(
    client_for, db, tenants
):
    ketua = client_of(client_for, "ana@kopalpha.id")
    fields = {
        "name": "Pinjaman Salah",
        "method": "flat",
        "rate": "1,5,0",
        "frequency": "monthly",
        "min_instalments": "3",
        "max_instalments": "12",
        "min_amount": "500000",
        "admin_fee": "0",
        "insurance_fee": "0",
        "grace_days": "0",
        "payoff_rule": "all_interest",
    }
    response = post_form(ketua, "/kelola/pinjaman/produk/baru", fields)
    assert response.status_code == 422
    assert "Isi persentase dari 0 sampai 100, misalnya 1,5." in text(response)
    response = post_form(ketua, "/kelola/pinjaman/produk/baru", {**fields, "rate": "18"})
    assert response.status_code == 422
    assert "Tentukan jumlah maksimum, kelipatan simpanan, atau keduanya." in text(response)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(LoanProduct)) == 0


def test_a_product_no_longer_offered_is_not_offered_to_applicants(client_for, tenants, product):
    ketua = client_of(client_for, "ana@kopalpha.id")
    url = f"/kelola/pinjaman/produk/{product.id}"
    page = text(ketua.get(url))
    offered = re.search(r'<input[^>]*id="is_active"[^>]*>', page)
    assert offered
    assert " checked" in offered[0]
    fields = {
        name: hidden(page, name)
        for name in ("name", "rate", "min_instalments", "max_instalments", "min_amount")
    }
    fields |= {
        "method": "flat",
        "frequency": "monthly",
        "max_amount": "2000000",
        "admin_fee": "1",
        "insurance_fee": "0,5",
        "grace_days": "3",
        "payoff_rule": "all_interest",
    }
    assert post_form(ketua, url, fields).status_code == 302
    assert "tidak ditawarkan lagi" in text(ketua.get("/kelola/pinjaman/produk"))
    form = text(ketua.get(apply_url(tenants.a.members[0])))
    assert "Belum ada produk pinjaman yang bisa diajukan." in form


def test_the_treasurer_sets_who_approves_and_the_cashier_may_not(client_for, db, tenants, staff):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    response = post_form(
        bendahara,
        "/kelola/pinjaman/pengaturan",
        {"approver_roles": ["ketua", "pengawas"], "approvals_required": "1"},
    )
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        settings = session.get(LoanSettings, 1)
        assert (settings.approver_roles, settings.approvals_required) == (["ketua", "pengawas"], 1)
    refused = post_form(bendahara, "/kelola/pinjaman/pengaturan", {"approvals_required": "2"})
    assert refused.status_code == 422
    assert "Centang paling sedikit satu jabatan" in text(refused)
    kasir = client_of(client_for, STAFF_EMAIL)
    assert kasir.get("/kelola/pinjaman/pengaturan").status_code == 403


# -- applying ------------------------------------------------------------------------------------


def test_the_officer_finds_the_member_by_name_and_opens_the_application(
    client_for, tenants, product
):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    page = text(bendahara.get("/kelola/pinjaman/ajukan?q=Sri"))
    sri = tenants.a.members[0]
    assert f"/kelola/pinjaman/ajukan?anggota={sri.id}" in page
    form = text(bendahara.get(apply_url(sri)))
    assert "Sri Wahyuni Alpha" in form
    assert "Pinjaman Warung" in form
    assert "Rp2.000.000" in form  # the most Sri may borrow on it


def test_calculate_shows_the_schedule_figures_and_writes_nothing(client_for, db, tenants, product):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    sri = tenants.a.members[0]
    data = {**application(product), "hitung": "1"}
    del data["ajukan"]
    page = text(post_form(bendahara, apply_url(sri), data))
    # Flat 18% on 600,000 over 6 months: 9,000 interest a month, 100,000 principal.
    assert "Rp109.000" in page  # the first instalment
    assert "Rp54.000" in page  # the total interest
    assert "Rp591.000" in page  # received after 6,000 + 3,000 of fees
    assert "bunga flat 18% setahun" in page
    effective = re.search(r"([\d,]+)% setahun atas sisa pinjaman", page)
    assert effective
    assert float(effective[1].replace(",", ".")) > 30
    assert loans_in_a(db, tenants) == 0


def test_htmx_on_change_answers_only_the_preview(client_for, tenants, product):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    url = apply_url(tenants.a.members[0])
    token = csrf_from(bendahara.get(url))
    data = {**application(product), "csrf_token": token}
    del data["ajukan"]
    response = bendahara.post(url, data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert text(response).startswith('<section class="panel" id="preview"')
    assert "Rp109.000" in text(response)


def test_an_application_is_recorded_with_the_officer_as_applicant(client_for, db, tenants, product):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    loan_id = applied(bendahara, tenants.a.members[0], product)
    with books_of(db, tenants.a) as session:
        loan = session.get(Loan, loan_id)
        assert loan.status is LoanStatus.APPLIED
        assert loan.applied_by_id == tenants.a.users["bendahara"].id
        assert (loan.principal, loan.instalments, loan.admin_fee) == (600_000, 6, 6_000)
    page = text(bendahara.get(f"/kelola/pinjaman/{loan_id}"))
    assert "Menunggu persetujuan" in page
    assert "Anda yang mencatat pengajuan ini" in page
    assert 'value="setuju"' not in page
    listed = text(bendahara.get("/kelola/pinjaman?status=menunggu&q=Sri"))
    assert f"/kelola/pinjaman/{loan_id}" in listed
    assert f"/kelola/pinjaman/{loan_id}" not in text(bendahara.get("/kelola/pinjaman?status=aktif"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"amount": "3.000.000"},
            "amount",
            "Anggota ini boleh meminjam paling banyak Rp2.000.000 pada produk ini.",
        ),
        ({"amount": "100.000"}, "amount", "Pinjam paling sedikit Rp500.000."),
        ({"instalments": "24"}, "instalments", "Produk ini diangsur 3 sampai 12 kali."),
        ({"amount": "dua juta"}, "amount", "Isi jumlah dalam rupiah bulat"),
        ({"purpose": ""}, "purpose", None),
    ],
)
def test_a_refused_application_is_told_on_its_field_and_writes_nothing(
    client_for, db, tenants, product, fields, field, message
):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    response = post_form(bendahara, apply_url(tenants.a.members[0]), application(product, **fields))
    assert response.status_code == 422
    page = text(response)
    assert re.search(rf'<p class="error" id="{field}-error">', page)
    if message:
        assert message in page
    assert english_on(page) == []
    assert loans_in_a(db, tenants) == 0


def test_a_product_asking_a_guarantor_and_a_closed_product_are_refused_on_the_form(
    client_for, db, tenants
):
    with books_of(db, tenants.a) as session:
        guarded = loans.save_product(
            session, None, loans.ProductTerms(**{**vars(PRODUCT), "requires_guarantor": True})
        )
        guarded_id = guarded.id
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    url = apply_url(tenants.a.members[0])
    data = {**application(guarded), "product": str(guarded_id)}
    response = post_form(bendahara, url, data)
    assert response.status_code == 422
    assert "Produk ini memerlukan penjamin. Isi nama penjamin." in text(response)
    with books_of(db, tenants.a) as session:
        session.get(LoanProduct, guarded_id).is_active = False
    response = post_form(bendahara, url, {**data, "guarantor": "Pak Rahmat"})
    assert response.status_code == 422
    assert "Pilih produk pinjaman." in text(response)  # a closed product is no longer offered
    assert loans_in_a(db, tenants) == 0


def test_a_member_who_left_is_refused_as_no_member(client_for, db, tenants, product, today):
    joko = tenants.a.members[1]
    with books_of(db, tenants.a) as session:
        members.record_exit(session, session.merge(joko), on=today, reason=None)
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    response = post_form(bendahara, apply_url(joko), application(product))
    assert response.status_code == 422
    assert f"{joko.number} bukan anggota aktif: pinjaman hanya untuk anggota." in text(response)
    assert loans_in_a(db, tenants) == 0


# -- deciding and paying out ---------------------------------------------------------------------


@pytest.fixture
def waiting(client_for, tenants, product, staff) -> int:
    """Sri's application for 600,000 over 6 months, taken by the cashier."""
    return applied(client_of(client_for, STAFF_EMAIL), tenants.a.members[0], product)


def decide(client: FlaskClient, loan_id: int, decision: str = "setuju", note: str = ""):
    return post_form(
        client,
        f"/kelola/pinjaman/{loan_id}",
        {"keputusan": decision, "putusan-note": note},
        url=f"/kelola/pinjaman/{loan_id}/putuskan",
    )


def test_the_cashier_cannot_approve(client_for, waiting):
    kasir = client_of(client_for, STAFF_EMAIL)
    assert 'value="setuju"' not in text(kasir.get(f"/kelola/pinjaman/{waiting}"))
    assert decide(kasir, waiting).status_code == 403


def test_the_applicant_cannot_approve_their_own_application(client_for, db, tenants, product):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    loan_id = applied(bendahara, tenants.a.members[0], product)
    response = decide(bendahara, loan_id)
    assert response.status_code == 422
    assert "Anda yang mencatat pengajuan ini, jadi Anda tidak bisa memutuskannya." in text(response)
    with books_of(db, tenants.a) as session:
        assert session.get(Loan, loan_id).approvals == []


def test_a_supervisor_decides_only_when_the_cooperative_names_the_role(
    client_for, db, tenants, waiting
):
    dedi = client_of(client_for, "dedi@kopalpha.id")
    refused = decide(dedi, waiting)
    assert refused.status_code == 422
    assert "Jabatan Anda tidak menyetujui pinjaman di koperasi ini." in text(refused)
    with books_of(db, tenants.a) as session:
        loans.save_settings(session, approver_roles=["ketua", "pengawas"], approvals_required=2)
    assert decide(dedi, waiting, note="Usaha jelas").status_code == 302
    page = text(dedi.get(f"/kelola/pinjaman/{waiting}"))
    assert "Dedi OnlyAlpha" in page
    assert "Usaha jelas" in page
    assert "Pengawas" in page
    assert "Menunggu persetujuan" in page  # one of two approvals


def test_one_no_rejects_the_loan(client_for, db, tenants, waiting):
    ketua = client_of(client_for, "ana@kopalpha.id")
    assert decide(ketua, waiting, "tolak", "Belum cukup simpanan").status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.get(Loan, waiting).status is LoanStatus.REJECTED
    assert "Ditolak" in text(ketua.get(f"/kelola/pinjaman/{waiting}"))


@pytest.fixture
def approved(client_for, waiting) -> int:
    for email in ("ana@kopalpha.id", "bambang@kopalpha.id"):
        assert decide(client_of(client_for, email), waiting).status_code == 302
    return waiting


def test_a_double_tapped_payout_pays_out_once(client_for, db, tenants, approved):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    page = text(bendahara.get(f"/kelola/pinjaman/{approved}"))
    assert "Anggota menerima Rp591.000" in page
    form = {"csrf_token": csrf_from_page(page), "key": hidden(page, "key"), "method": "cash"}
    first = bendahara.post(f"/kelola/pinjaman/{approved}/cairkan", data=form)
    second = bendahara.post(f"/kelola/pinjaman/{approved}/cairkan", data=form)
    assert (first.status_code, second.status_code) == (302, 302)
    with books_of(db, tenants.a) as session:
        loan = session.get(Loan, approved)
        assert loan.status is LoanStatus.ACTIVE
        assert len(loans.schedule(session, loan)) == 6
        paid_out = select(func.count()).where(JournalEntry.id == loan.disbursement_entry_id)
        assert session.scalar(paid_out) == 1
        entries = select(func.count()).where(JournalEntry.description.like("Pencairan pinjaman%"))
        assert session.scalar(entries) == 1


def csrf_from_page(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def test_only_those_who_take_money_pay_out(client_for, approved):
    dedi = client_of(client_for, "dedi@kopalpha.id")
    page = text(dedi.get(f"/kelola/pinjaman/{approved}"))
    assert "/cairkan" not in page
    response = dedi.post(
        f"/kelola/pinjaman/{approved}/cairkan", data={"csrf_token": csrf_from_page(page)}
    )
    assert response.status_code == 403


def test_a_loan_is_cancelled_before_payout_and_not_after(client_for, db, tenants, waiting):
    kasir = client_of(client_for, STAFF_EMAIL)
    response = post_form(
        kasir,
        f"/kelola/pinjaman/{waiting}",
        {"batal-note": "Tidak jadi"},
        url=f"/kelola/pinjaman/{waiting}/batal",
    )
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.get(Loan, waiting).status is LoanStatus.CANCELLED
    again = post_form(
        kasir, f"/kelola/pinjaman/{waiting}", {}, url=f"/kelola/pinjaman/{waiting}/batal"
    )
    assert again.status_code == 422
    assert "tidak bisa dibatalkan" in text(again)


@pytest.fixture
def paid_out(client_for, approved) -> int:
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    page = text(bendahara.get(f"/kelola/pinjaman/{approved}"))
    response = bendahara.post(
        f"/kelola/pinjaman/{approved}/cairkan",
        data={"csrf_token": csrf_from_page(page), "key": hidden(page, "key"), "method": "cash"},
    )
    assert response.status_code == 302
    return approved


def test_the_agreement_names_the_member_the_principal_in_words_and_the_schedule_total(
    client_for, paid_out
):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    page = text(bendahara.get(f"/kelola/pinjaman/{paid_out}"))
    assert f"/kelola/pinjaman/{paid_out}/akad.pdf" in page
    response = bendahara.get(f"/kelola/pinjaman/{paid_out}/akad.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    words = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Sri Wahyuni Alpha" in words
    assert "Enam ratus ribu rupiah" in words
    assert "Rp654.000" in words  # 600,000 and 54,000 of interest
    assert "3273••••••••0001" in words  # the NIK masked
    assert "Akad pinjaman" in words


def test_the_agreement_of_a_loan_not_paid_out_is_not_found(client_for, waiting):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    assert bendahara.get(f"/kelola/pinjaman/{waiting}/akad.pdf").status_code == 404


# -- the member's own loans ----------------------------------------------------------------------


@pytest.fixture
def citra_is_sri(db, tenants) -> Iterator[FlaskClient]:
    """Citra's member account is Sri's (member 0001)."""
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).user_id = tenants.a.users["anggota"].id
    return


def test_a_member_sees_their_loan_and_its_next_instalment_and_not_anothers(
    client_for, db, tenants, citra_is_sri, paid_out, product, today
):
    with books_of(db, tenants.a) as session:
        other = loans.apply(
            session,
            loans.Application(
                member=session.merge(tenants.a.members[1]),
                product=session.get(LoanProduct, product.id),
                principal=700_000,
                instalments=3,
                purpose="Pupuk",
            ),
            applied_by_id=tenants.a.users["ketua"].id,
            today=today,
        )
        other_id, other_number = other.id, other.number
    citra = client_of(client_for, "citra@kopalpha.id")
    home = text(citra.get("/anggota"))
    assert f"/anggota/pinjaman/{paid_out}" in home
    assert "berikutnya: Rp109.000" in home
    assert other_number not in home
    mine = citra.get(f"/anggota/pinjaman/{paid_out}")
    assert mine.status_code == 200
    assert "Jadwal angsuran" in text(mine)
    assert english_on(text(mine)) == []
    assert citra.get(f"/anggota/pinjaman/{other_id}").status_code == 404
    assert citra.get(f"/kelola/pinjaman/{other_id}").status_code == 403


def test_a_member_applies_for_themselves_and_the_officers_then_decide(
    client_for, db, tenants, citra_is_sri, product
):
    citra = client_of(client_for, "citra@kopalpha.id")
    page = text(citra.get("/anggota/pinjaman/ajukan"))
    assert "Rp2.000.000" in page
    assert english_on(page) == []
    too_much = post_form(citra, "/anggota/pinjaman/ajukan", application(product, amount="5000000"))
    assert too_much.status_code == 422
    assert "paling banyak Rp2.000.000" in text(too_much)
    response = post_form(citra, "/anggota/pinjaman/ajukan", application(product))
    assert response.status_code == 302
    loan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with books_of(db, tenants.a) as session:
        loan = session.get(Loan, loan_id)
        assert loan.applied_by_id == tenants.a.users["anggota"].id
        assert loan.member_id == tenants.a.members[0].id
    ketua = client_of(client_for, "ana@kopalpha.id")
    assert 'value="setuju"' in text(ketua.get(f"/kelola/pinjaman/{loan_id}"))


def test_the_officers_page_of_a_member_lists_their_loans_and_leads_to_applying(
    client_for, tenants, waiting
):
    sri = tenants.a.members[0]
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    page = text(bendahara.get(f"/kelola/anggota/{sri.id}"))
    assert f"/kelola/pinjaman/{waiting}" in page
    assert f"/kelola/pinjaman/ajukan?anggota={sri.id}" in page


def test_the_loan_pages_in_indonesian_show_no_translated_english(
    client_for, tenants, product, paid_out
):
    ketua = client_of(client_for, "ana@kopalpha.id")
    sri = tenants.a.members[0]
    urls = [
        "/kelola/pinjaman",
        "/kelola/pinjaman?status=aktif",
        "/kelola/pinjaman/produk",
        "/kelola/pinjaman/produk/baru",
        f"/kelola/pinjaman/produk/{product.id}",
        "/kelola/pinjaman/pengaturan",
        "/kelola/pinjaman/ajukan?q=Sri",
        apply_url(sri),
        f"/kelola/pinjaman/{paid_out}",
        f"/kelola/anggota/{sri.id}",
        "/anggota",
    ]
    found = {}
    for url in urls:
        response = ketua.get(url)
        assert response.status_code == 200, url
        if english := english_on(text(response)):
            found[url] = english
    assert found == {}


@pytest.mark.parametrize(
    ("code", "details", "field", "message"),
    [
        ("not_a_member", {"member": "0002"}, None, "0002 bukan anggota aktif"),
        ("product_closed", {}, "product", "Produk ini tidak ditawarkan lagi."),
        ("tenor_out_of_range", {"low": 3, "high": 12}, "instalments", "diangsur 3 sampai 12"),
        ("below_minimum", {"minimum": 500_000}, "amount", "paling sedikit Rp500.000"),
        ("too_small_for_tenor", {"minimum": 12_000}, "amount", "paling sedikit Rp12.000"),
        ("above_maximum", {"maximum": 2_000_000}, "amount", "paling banyak Rp2.000.000"),
        ("guarantor_required", {}, "guarantor", "memerlukan penjamin"),
        ("fees_exceed_principal", {}, "amount", "Biaya akan menghabiskan seluruh pinjaman."),
    ],
)
def test_every_refusal_of_an_application_has_its_own_indonesian_message(
    app, code, details, field, message
):
    with app.test_request_context(headers={"Accept-Language": "id"}):
        form = ApplicationForm(formdata=None, meta={"csrf": False})
        show_refusal(form, loans.LoanError(code, **details))
        shown = form.form_errors if field is None else getattr(form, field).errors
        assert len(shown) == 1
        assert message in shown[0]


@pytest.mark.parametrize("named", ["99999999999999999999", "-1", "satu", "999999"])
def test_applying_for_a_member_no_row_has_asks_who_borrows(client_for, named):
    bendahara = client_of(client_for, "bambang@kopalpha.id")
    response = bendahara.get(f"/kelola/pinjaman/ajukan?anggota={named}")
    assert response.status_code == 200
    assert 'id="borrower"' in text(response)
