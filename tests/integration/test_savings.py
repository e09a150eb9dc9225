"""Savings at the counter: each movement a balanced entry with a receipt, once per form."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from saas import clock
from saas.ledger import operations as ledger
from saas.ledger.models import JournalEntry
from saas.ledger.queries import trial_balance
from saas.ledger.rules import LedgerError
from saas.members.models import Counter, Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, Receipt, SavingsKind
from tests.clock import TODAY
from tests.factories import count_statements, csrf_from, login, text


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


@pytest.fixture
def sri(tenants):
    return tenants.a.members[0]


def form_of(client, member, action):
    """The hidden fields of one of the two forms on the savings page (its own key)."""
    page = text(client.get(f"/kelola/anggota/{member.id}/simpanan"))
    form = page[page.index(f"/simpanan/{action}") :]
    key = re.search(rf'name="{action}-key" type="hidden" value="([^"]+)"', form).group(1)
    token = re.search(rf'name="{action}-csrf_token" type="hidden" value="([^"]+)"', form)
    return {"csrf_token": token.group(1), "key": key}


def pay(client, member, action="setor", **fields):
    plain = {
        **form_of(client, member, action),
        "kind": "sukarela",
        "amount": "25000",
        "method": "cash",
        "paid_on": TODAY.isoformat(),
        **fields,
    }
    # The two forms on the page carry their action as a prefix on every field.
    data = {f"{action}-{k}": v for k, v in plain.items()}
    return client.post(f"/kelola/anggota/{member.id}/simpanan/{action}", data=data), data


def books(db, tenants):
    a = tenants.a.tenant
    return db.tenant_session(a.shard, a.schema_name)


def entries(db, tenants) -> int:
    with books(db, tenants) as session:
        return session.scalar(select(func.count()).select_from(JournalEntry))


def cash_balance(session) -> int:
    rows = trial_balance(session, TODAY)
    return next(r.balance for r in rows if r.account.role == "cash")


@pytest.fixture
def before(db, tenants):
    """How many entries the tenant had (its own from the fixtures)."""
    return entries(db, tenants)


def test_a_payment_posts_a_balanced_entry_and_prints_a_receipt_in_words(
    bendahara, db, tenants, sri
):
    with books(db, tenants) as session:
        today = TODAY
        cash_before = next(
            r.balance for r in trial_balance(session, today) if r.account.role == "cash"
        )
    response, _data = pay(bendahara, sri, amount="1250000", kind="sukarela")
    assert response.status_code == 302
    receipt_page = text(bendahara.get(response.headers["Location"]))
    assert "Satu juta dua ratus lima puluh ribu rupiah" in receipt_page
    assert "Rp1,250,000" in receipt_page  # the English test client's digits
    assert "Bambang Alpha" in receipt_page
    with books(db, tenants) as session:
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 1_250_000
        rows = trial_balance(session, TODAY)
        assert sum(r.debit for r in rows) == sum(r.credit for r in rows)
        assert cash_balance(session) - cash_before == 1_250_000


def test_a_double_tapped_payment_posts_once(bendahara, db, tenants, sri, before):
    first, data = pay(bendahara, sri)
    second = bendahara.post(f"/kelola/anggota/{sri.id}/simpanan/setor", data=data)
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    with books(db, tenants) as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == 1
    assert entries(db, tenants) == before + 1


def test_a_withdrawal_larger_than_the_balance_is_refused_with_the_balance_shown(
    bendahara, db, tenants, sri, before
):
    pay(bendahara, sri, kind="sukarela", amount="40000")
    refused, _data = pay(bendahara, sri, action="tarik", amount="50000")
    assert refused.status_code == 422
    assert "The voluntary savings balance is Rp40,000" in text(refused)
    done, _data = pay(bendahara, sri, action="tarik", amount="15000")
    assert done.status_code == 302
    with books(db, tenants) as session:
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 25_000
    assert entries(db, tenants) == before + 2


def test_mandatory_savings_cannot_be_withdrawn_and_principal_is_paid_once(
    bendahara, db, tenants, sri
):
    pay(bendahara, sri, kind="wajib", amount="10000")
    refused, _data = pay(bendahara, sri, action="tarik", kind="wajib", amount="5000")
    assert refused.status_code == 422  # the form withdraws voluntary savings only
    assert "The voluntary savings balance is Rp0" in text(refused)
    assert pay(bendahara, sri, kind="pokok", amount="100000")[0].status_code == 302
    again, _data = pay(bendahara, sri, kind="pokok", amount="100000")
    assert again.status_code == 422
    assert "already paid the principal savings" in text(again)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter an amount from Rp1 up to Rp1.000.000.000.000."),
        ("-5000", "Enter an amount from Rp1 up to Rp1.000.000.000.000."),
        ("2000000000000", "Enter an amount from Rp1 up to Rp1.000.000.000.000."),
        ("dua puluh ribu", "Enter the amount in whole rupiah, like 25000."),
        ("25000.50", "Enter the amount in whole rupiah, like 25000."),
        ("", "Enter the amount in whole rupiah, like 25000."),
    ],
)
def test_absurd_amounts_are_refused_on_the_form_and_nothing_is_posted(
    bendahara, db, tenants, sri, amount, message, before
):
    response, _data = pay(bendahara, sri, amount=amount)
    assert response.status_code == 422
    assert message in text(response)
    assert entries(db, tenants) == before


def test_a_form_with_a_broken_key_comes_back_with_a_new_one_that_pays_once(
    bendahara, db, tenants, sri
):
    before = entries(db, tenants)
    refused, data = pay(bendahara, sri, key="bukan-kunci")
    assert refused.status_code == 422
    assert "This form is out of date. Open it again." in text(refused)
    assert entries(db, tenants) == before
    page = text(refused)
    form = page[page.index("/simpanan/setor") :]
    key = re.search(r'name="setor-key" type="hidden" value="([^"]+)"', form).group(1)
    assert uuid.UUID(key)
    again = {**data, "setor-key": key}
    for _ in range(2):  # sent again as it came back, twice: one deposit
        url = f"/kelola/anggota/{sri.id}/simpanan/setor"
        assert bendahara.post(url, data=again).status_code == 302
    assert entries(db, tenants) == before + 1


def test_nothing_is_paid_into_a_closed_month(bendahara, db, tenants, sri):
    with books(db, tenants) as session:
        ledger.close_period(
            session, 2026, 10, user_id=tenants.a.users["bendahara"].id, today=date(2026, 11, 29)
        )
    response, _data = pay(bendahara, sri, paid_on="2026-10-15")
    assert response.status_code == 422
    assert "The books of that month are closed." in text(response)


def test_anyone_can_check_a_receipt_but_sees_nothing_personal(bendahara, client_for, sri):
    response, _data = pay(bendahara, sri, amount="30000")
    receipt_page = text(bendahara.get(response.headers["Location"]))
    token = re.search(r"/kuitansi/([0-9a-f]{32})", receipt_page).group(1)
    page = text(client_for("alpha").get(f"/kuitansi/{token}"))
    assert "This receipt is genuine." in page
    assert "Rp30,000" in page
    assert sri.name not in page
    assert sri.nik not in page
    assert client_for("alpha").get("/kuitansi/KW-2026-999999").status_code == 404
    assert client_for("beta").get(f"/kuitansi/{token}").status_code == 404


def test_supervisors_cannot_record_money(alpha, sri):
    login(alpha, "dedi@kopalpha.id")
    assert alpha.get(f"/kelola/anggota/{sri.id}/simpanan").status_code == 403
    token = csrf_from(alpha.get("/kelola"))
    response = alpha.post(
        f"/kelola/anggota/{sri.id}/simpanan/setor", data={"csrf_token": token, "amount": "1"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("typed", ["25.000", "Rp 25.000", "25 000", "25000"])
def test_amounts_are_read_as_people_type_them(bendahara, db, tenants, sri, typed):
    response, _data = pay(bendahara, sri, kind="sukarela", amount=typed)
    assert response.status_code == 302
    with books(db, tenants) as session:
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 25_000


def test_a_member_statement_carries_the_opening_balance_and_a_running_one(
    bendahara, db, tenants, sri
):
    pay(bendahara, sri, kind="sukarela", amount="50000", paid_on="2026-09-10")
    pay(bendahara, sri, kind="sukarela", amount="20000", paid_on="2026-10-05")
    pay(bendahara, sri, action="tarik", amount="30000", paid_on="2026-10-20")
    with books(db, tenants) as session:
        opening, rows = savings.member_statement(
            session, sri.id, date(2026, 10, 1), date(2026, 10, 31)
        )
    assert opening[SavingsKind.SUKARELA] == 50_000
    assert [(r.paid_in, r.paid_out, r.balance) for r in rows] == [
        (20_000, 0, 70_000),
        (0, 30_000, 40_000),
    ]


def test_a_receipt_carries_a_qr_code_of_its_check_page_and_prints_as_pdf(
    bendahara, client_for, sri
):
    response, _data = pay(bendahara, sri, amount="25000")
    receipt_url = response.headers["Location"]
    page = text(bendahara.get(receipt_url))
    # The QR's target: the check page under the receipt's token, not its guessable number.
    assert re.search(r"<title>http://alpha\.localhost/kuitansi/[0-9a-f]{32}</title>", page)
    assert re.search(r'<svg[^>]*class="segno"', page)
    pdf = bendahara.get(f"{receipt_url}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client_for("alpha").get(f"{receipt_url}.pdf").status_code == 302  # to sign in


def movement(tenants, member, **fields):
    officer = tenants.a.users["bendahara"]
    plain = {
        "member": member,
        "kind": SavingsKind.SUKARELA,
        "amount": 10_000,
        "method": PaymentMethod.CASH,
        "paid_on": date(2026, 10, 5),
        "idempotency_key": uuid.uuid4(),
        "officer_id": officer.id,
        "officer_name": officer.name,
        **fields,
    }
    return savings.Movement(**plain)


def test_a_deposit_is_two_statements_and_its_receipt_takes_the_next_number(db, tenants, sri):
    with books(db, tenants) as session:
        member = session.get_one(Member, sri.id)
        first, _created = savings.deposit(session, movement(tenants, member))
        (second, created), statements = count_statements(
            db, lambda: savings.deposit(session, movement(tenants, member))
        )
        assert created
        assert len(statements) == 2  # the entry with its lines; the receipt with its number
        year, number = first.number.rsplit("-", 2)[1:]
        assert second.number == f"KW-{year}-{int(number) + 1:06d}"
        assert session.get_one(Receipt, second.id).entry_id == second.entry_id


def test_receipt_numbers_grow_past_six_digits(db, tenants, sri):
    with books(db, tenants) as session:
        session.execute(
            insert(Counter)
            .values(name=savings.RECEIPT_COUNTER, value=999_999)
            .on_conflict_do_update(index_elements=[Counter.name], set_={"value": 999_999})
        )
        receipt, _created = savings.deposit(
            session, movement(tenants, session.get_one(Member, sri.id))
        )
    assert receipt.number == "KW-2026-1000000"


def test_a_retry_returns_the_first_receipt_even_when_the_rules_now_refuse_it(db, tenants, sri):
    with books(db, tenants) as session:
        member = session.get_one(Member, sri.id)
        pokok = movement(tenants, member, kind=SavingsKind.POKOK, amount=100_000)
        paid, _created = savings.deposit(session, pokok)
        savings.deposit(session, movement(tenants, member, amount=30_000))
        take = movement(tenants, member, amount=30_000)
        taken, _created = savings.withdraw(session, take)
        before = session.scalar(select(func.count()).select_from(JournalEntry))
        assert savings.deposit(session, pokok) == (paid, False)  # the principal is paid now
        assert savings.withdraw(session, take) == (taken, False)  # and the balance spent
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == before
        with pytest.raises(LedgerError) as refused:
            savings.deposit(session, movement(tenants, member, kind=SavingsKind.POKOK))
        assert refused.value.code == "pokok_paid"


def test_a_payment_at_six_in_the_morning_wib_on_the_first_is_dated_the_first(bendahara, sri):
    # 23:00 UTC on 30 November is 06:00 WIB on 1 December: the cooperative's day, not the server's.
    with clock.frozen(datetime(2026, 11, 30, 23, 0, tzinfo=UTC)):
        page = text(bendahara.get(f"/kelola/anggota/{sri.id}/simpanan"))
        assert 'value="2026-12-01"' in page
        assert 'value="2026-11-30"' not in page
