"""Paying loans back on the pages: the counter's form and its refusals, the receipt on paper and
behind its QR code, cancelling a payment, paying off, restructuring with a preview, a member's
own loan and the week's WhatsApp reminders."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from saas.i18n import format_rupiah
from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.loans import repayments
from saas.loans.models import Loan, LoanRepayment, LoanRestructure, LoanStatus
from tests.factories import books_of, hidden, login, text
from tests.integration.lending import active_loan, pay
from tests.integration.test_pages_in_indonesian import english_on
from tests.qris_codes import static_payload

TREASURER = "bambang@kopalpha.id"  # bendahara: takes money and keeps the books
SUPERVISOR = "dedi@kopalpha.id"  # pengawas: reads, takes no money
MEMBER = "citra@kopalpha.id"


def client_of(client_for, email: str) -> FlaskClient:
    client = client_for("alpha", lang="id")
    assert login(client, email).status_code == 302
    return client


def paid_out_days_ago(db, tenants, today: date, days: int, *, member: int = 0) -> int:
    """A loan of 6 x 224,000 a month paid out ``days`` before today; its id."""
    with books_of(db, tenants.a) as session:
        return active_loan(session, tenants, on=today - timedelta(days=days), member=member).id


def standing_of(db, tenants, loan_id: int, on: date) -> repayments.Standing:
    with books_of(db, tenants.a) as session:
        return repayments.standing(session, session.get_one(Loan, loan_id), on)


def payments_of(db, tenants) -> int:
    with books_of(db, tenants.a) as session:
        return session.scalar(select(func.count()).select_from(LoanRepayment)) or 0


def rupiah(amount: int) -> str:
    return format_rupiah(amount, "id")


def take(client: FlaskClient, loan_id: int, amount: int | str | None = None, **fields):
    """Send the loan page's payment form as it is filled in, ``amount`` typed over its own."""
    page = text(client.get(f"/kelola/pinjaman/{loan_id}"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "angsuran-key": hidden(page, "angsuran-key"),
        "angsuran-amount": amount if amount is not None else hidden(page, "angsuran-amount"),
        "angsuran-method": "cash",
        "angsuran-paid_on": hidden(page, "angsuran-paid_on"),
        **fields,
    }
    return client.post(f"/kelola/pinjaman/{loan_id}/angsuran", data=data)


def receipt_number(response) -> str:
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


def one_page(pdf: bytes) -> bool:
    return len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_an_instalment_at_the_counter_prints_a_receipt_checked_by_its_token_until_cancelled(
    client_for, db, tenants, today
):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    before = standing_of(db, tenants, loan_id, today)
    assert before.due_now > 0
    treasurer = client_of(client_for, TREASURER)
    page = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    assert f'value="{before.due_now}"' in page  # prefilled with what is due now
    assert "Terima angsuran" in page
    assert rupiah(before.payoff) in page
    overdue = before.overdue[0]
    late = (today - overdue.due_date).days
    assert f"Terlambat {late} hari" in page
    assert f"denda {rupiah(overdue.late_fee)}" in page
    number = receipt_number(take(treasurer, loan_id))
    receipt = text(treasurer.get(f"/kelola/pinjaman/kuitansi/{number}"))
    assert rupiah(before.due_now) in receipt
    assert "rupiah" in receipt
    assert "ribu" in receipt
    for paper in ("a6", "58mm"):
        pdf = treasurer.get(f"/kelola/pinjaman/kuitansi/{number}.pdf?kertas={paper}")
        assert pdf.mimetype == "application/pdf"
        assert one_page(pdf.data)
    token = re.search(r"/kuitansi/([0-9a-f]{32})", receipt)[1]
    assert client_for("beta", lang="id").get(f"/kuitansi/{token}").status_code == 404
    checked = text(client_for("alpha", lang="id").get(f"/kuitansi/{token}"))
    assert "Kuitansi ini asli." in checked
    assert number in checked

    cancel = {
        "csrf_token": hidden(receipt, "csrf_token"),
        "batal-key": hidden(receipt, "batal-key"),
        "batal-reason": "Salah catat",
    }
    url = f"/kelola/pinjaman/kuitansi/{number}/batal"
    assert treasurer.post(url, data=cancel).status_code == 302
    assert treasurer.post(url, data=cancel).status_code in (302, 422)  # a double tap
    with books_of(db, tenants.a) as session:
        reversals = select(func.count()).where(JournalEntry.reverses_id.is_not(None))
        assert session.scalar(reversals) == 1
    checked = text(client_for("alpha", lang="id").get(f"/kuitansi/{token}"))
    assert "Kuitansi ini telah dibatalkan." in checked
    assert standing_of(db, tenants, loan_id, today).dues == before.dues
    assert "Dibatalkan" in text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))


def test_one_amount_pays_several_instalments_and_part_of_the_next(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 70)
    before = standing_of(db, tenants, loan_id, today)
    treasurer = client_of(client_for, TREASURER)
    assert receipt_number(take(treasurer, loan_id, before.due_now + 100_000))
    after = standing_of(db, tenants, loan_id, today)
    assert after.due_now == 0
    assert after.next_due.outstanding == 224_000 - 100_000
    page = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    due_by_today = [due for due in before.dues if due.due_date <= today]
    assert page.count('data-state="paid"') == len(due_by_today) >= 2
    assert f"Dibayar sebagian, sisa {rupiah(124_000)}" in page


def test_more_than_is_owed_is_refused_and_the_payoff_is_offered(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    now = standing_of(db, tenants, loan_id, today)
    response = take(client_of(client_for, TREASURER), loan_id, now.total_left + 1)
    assert response.status_code == 422
    page = text(response)
    assert "melebihi sisa utang" in page
    assert f"Lunasi pinjaman dengan {rupiah(now.payoff)}" in page
    assert 'href="#lunasi"' in page
    assert payments_of(db, tenants) == 0


def test_paying_off_settles_the_loan_and_a_stale_amount_is_refused(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    treasurer = client_of(client_for, TREASURER)
    page = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    form = {
        "csrf_token": hidden(page, "csrf_token"),
        "lunasi-key": hidden(page, "lunasi-key"),
        "lunasi-method": "transfer",
    }
    url = f"/kelola/pinjaman/{loan_id}/lunasi"
    stale = treasurer.post(url, data={**form, "lunasi-amount": "1000"})
    assert stale.status_code == 422
    assert "butuh tepat" in text(stale)
    assert payments_of(db, tenants) == 0
    paid = treasurer.post(url, data={**form, "lunasi-amount": hidden(page, "lunasi-amount")})
    assert receipt_number(paid).startswith("KP-")
    with books_of(db, tenants.a) as session:
        assert session.get_one(Loan, loan_id).status is LoanStatus.PAID_OFF
    shown = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    assert "Lunas" in shown
    assert "Terima angsuran" not in shown


def test_a_payment_dated_in_a_closed_month_is_refused_on_the_form(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 100)
    last_month = today.replace(day=1) - timedelta(days=1)
    with books_of(db, tenants.a) as session:
        ledger.close_period(
            session,
            last_month.year,
            last_month.month,
            user_id=tenants.a.users["bendahara"].id,
            today=today,
        )
    response = take(
        client_of(client_for, TREASURER),
        loan_id,
        "224.000",
        **{"angsuran-paid_on": last_month.isoformat()},
    )
    assert response.status_code == 422
    assert "Pembukuan bulan itu sudah ditutup" in text(response)
    assert payments_of(db, tenants) == 0


def test_a_double_submitted_payment_is_recorded_once(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    treasurer = client_of(client_for, TREASURER)
    page = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "angsuran-key": hidden(page, "angsuran-key"),
        "angsuran-amount": "50000",
        "angsuran-method": "qris",
        "angsuran-paid_on": today.isoformat(),
    }
    first = treasurer.post(f"/kelola/pinjaman/{loan_id}/angsuran", data=data)
    second = treasurer.post(f"/kelola/pinjaman/{loan_id}/angsuran", data=data)
    assert receipt_number(first) == receipt_number(second)
    assert payments_of(db, tenants) == 1


def test_a_bad_amount_or_a_future_date_is_told_on_the_form_and_writes_nothing(
    client_for, db, tenants, today
):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    treasurer = client_of(client_for, TREASURER)
    typo = take(treasurer, loan_id, "dua ratus")
    assert typo.status_code == 422
    assert "Isi jumlah dalam rupiah" in text(typo)
    future = (today + timedelta(days=1)).isoformat()
    ahead = take(treasurer, loan_id, "1000", **{"angsuran-paid_on": future})
    assert ahead.status_code == 422
    assert "masa depan" in text(ahead)
    assert payments_of(db, tenants) == 0


def test_the_supervisor_takes_no_payment_and_the_cashier_cancels_none(
    client_for, db, tenants, today
):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    with books_of(db, tenants.a) as session:
        number = pay(session, session.get_one(Loan, loan_id), 10_000, today).repayment.number
        session.commit()  # the payment's last statements are no ORM flush the block would see
    supervisor = client_of(client_for, SUPERVISOR)
    page = text(supervisor.get(f"/kelola/pinjaman/{loan_id}"))
    assert "angsuran-amount" not in page
    assert "lunasi-key" not in page
    token = {"csrf_token": hidden(page, "csrf_token")}
    refused = supervisor.post(f"/kelola/pinjaman/{loan_id}/angsuran", data=token)
    assert refused.status_code == 403
    chair = client_of(client_for, "ana@kopalpha.id")  # takes money, keeps no books
    receipt = text(chair.get(f"/kelola/pinjaman/kuitansi/{number}"))
    assert "batal-reason" not in receipt
    cancel = chair.post(
        f"/kelola/pinjaman/kuitansi/{number}/batal",
        data={"csrf_token": hidden(receipt, "csrf_token"), "batal-reason": "x"},
    )
    assert cancel.status_code == 403


def test_a_payment_made_before_a_restructuring_is_not_cancelled(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    with books_of(db, tenants.a) as session:
        number = pay(session, session.get_one(Loan, loan_id), 50_000, today).repayment.number
        session.commit()
    treasurer = client_of(client_for, TREASURER)
    page = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    form = {
        "csrf_token": hidden(page, "csrf_token"),
        "restruktur-instalments": "10",
        "restruktur-rate": "1,5",
        "restruktur-reason": "Panen gagal",
    }
    url = f"/kelola/pinjaman/{loan_id}/restrukturisasi"
    preview = treasurer.post(url, data={**form, "aksi": "pratinjau"})
    assert preview.status_code == 200
    assert "Jadwal baru" in text(preview)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(LoanRestructure)) == 0
    assert treasurer.post(url, data={**form, "aksi": "simpan"}).status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.scalars(select(LoanRestructure.rate_bp)).all() == [150]
    shown = text(treasurer.get(f"/kelola/pinjaman/{loan_id}"))
    assert "Panen gagal" in shown
    assert "Jadwal sebelum restrukturisasi (versi 1)" in shown
    assert shown.count('data-state="') == 10
    receipt = text(treasurer.get(f"/kelola/pinjaman/kuitansi/{number}"))
    refused = treasurer.post(
        f"/kelola/pinjaman/kuitansi/{number}/batal",
        data={
            "csrf_token": hidden(receipt, "csrf_token"),
            "batal-key": hidden(receipt, "batal-key"),
            "batal-reason": "Salah catat",
        },
    )
    assert refused.status_code == 422
    assert "tidak bisa dibatalkan lagi" in text(refused)


def test_a_restructuring_refused_by_the_rules_is_told_on_the_form(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    with books_of(db, tenants.a) as session:
        loan = session.get_one(Loan, loan_id)
        left = repayments.standing(session, loan, today).total_left
        pay(session, loan, left - 224_000, today)  # 200,000 of principal stays owed
        session.commit()
    chair = client_of(client_for, "ana@kopalpha.id")
    page = text(chair.get(f"/kelola/pinjaman/{loan_id}"))
    response = chair.post(
        f"/kelola/pinjaman/{loan_id}/restrukturisasi",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "restruktur-instalments": "999",
            "restruktur-rate": "1,5",
            "restruktur-reason": "Usaha sepi",
            "aksi": "simpan",
        },
    )
    assert response.status_code == 422
    assert "Sisa utang terlalu kecil" in text(response)
    supervisor = client_of(client_for, SUPERVISOR)
    seen = text(supervisor.get(f"/kelola/pinjaman/{loan_id}"))
    assert "restruktur-reason" not in seen
    token = {"csrf_token": hidden(seen, "csrf_token")}
    assert (
        supervisor.post(f"/kelola/pinjaman/{loan_id}/restrukturisasi", data=token).status_code
        == 403
    )
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(LoanRestructure)) == 0


@pytest.fixture
def citra_is_sri(db, tenants) -> None:
    """Citra's member account is Sri's (member 0001)."""
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).user_id = tenants.a.users["anggota"].id


def test_a_member_sees_what_is_due_their_payments_and_a_qris_code_and_no_one_elses(
    client_for, db, tenants, today, citra_is_sri
):
    mine = paid_out_days_ago(db, tenants, today, 40)
    other = paid_out_days_ago(db, tenants, today, 40, member=1)
    with books_of(db, tenants.a) as session:
        paid = pay(session, session.get_one(Loan, mine), 30_000, today).repayment
        theirs = pay(session, session.get_one(Loan, other), 40_000, today).repayment
        mine_token, mine_number, their_number = paid.token, paid.number, theirs.number
        session.commit()
    treasurer = client_of(client_for, TREASURER)
    setting = text(treasurer.get("/kelola/simpanan/qris"))
    saved = treasurer.post(
        "/kelola/simpanan/qris",
        data={"csrf_token": hidden(setting, "csrf_token"), "payload": static_payload()},
    )
    assert saved.status_code == 302
    due = standing_of(db, tenants, mine, today).due_now
    citra = client_of(client_for, MEMBER)
    home = text(citra.get("/anggota"))
    assert f"jatuh tempo sekarang: {rupiah(due)}" in home
    page = text(citra.get(f"/anggota/pinjaman/{mine}"))
    assert mine_number in page
    assert f"/kuitansi/{mine_token}" in page
    assert their_number not in page
    assert f'data-qris-amount="{due}"' in page
    assert english_on(page) == []
    assert citra.get(f"/anggota/pinjaman/{other}").status_code == 404


def test_the_week_s_reminders_link_to_whatsapp_with_the_amount_and_the_members_page(
    client_for, db, tenants, today
):
    overdue = paid_out_days_ago(db, tenants, today, 40)
    no_phone = paid_out_days_ago(db, tenants, today, 40, member=1)
    not_yet = paid_out_days_ago(db, tenants, today, 0, member=1)  # first due in a month
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).phone = "+6281234567890"
        later = session.get_one(Loan, not_yet).number
    owed = standing_of(db, tenants, overdue, today).due_now
    page = text(client_of(client_for, SUPERVISOR).get("/kelola/pinjaman/jatuh-tempo"))
    links = re.findall(r'href="(https://wa\.me/6281234567890\?text=[^"]+)"', page)
    assert len(links) == 1
    message = unquote(links[0].replace("&amp;", "&"))
    assert rupiah(owed) in message
    assert f"/anggota/pinjaman/{overdue}" in message
    assert "Tidak ada nomor HP" in page
    assert later not in page
    with books_of(db, tenants.a) as session:
        assert session.get_one(Loan, no_phone).number in page
    assert english_on(page) == []


def test_the_payment_pages_in_indonesian_show_no_translated_english(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    treasurer = client_of(client_for, TREASURER)
    number = receipt_number(take(treasurer, loan_id))
    for url in (f"/kelola/pinjaman/{loan_id}", f"/kelola/pinjaman/kuitansi/{number}"):
        assert english_on(text(treasurer.get(url))) == [], url
