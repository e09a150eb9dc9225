"""Principal and mandatory savings counted as liabilities or as equity: every member's balance
moves in one entry, nobody's savings change, and new movements follow the choice."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from saas.ledger import operations as ledger
from saas.ledger.queries import balance_sheet
from saas.ledger.rules import LedgerError
from saas.savings import classification
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.savings.queries import savings_summary
from tests.clock import TODAY
from tests.factories import books_of, hidden, login, text


def deposit(session, member, kind, amount, officer):
    savings.deposit(
        session,
        savings.Movement(
            member=session.merge(member),
            kind=kind,
            amount=amount,
            method=PaymentMethod.CASH,
            paid_on=TODAY,
            idempotency_key=uuid.uuid4(),
            officer_id=officer,
            officer_name="Bambang Alpha",
        ),
    )


@pytest.fixture
def shares(db, tenants):
    """Sri has paid Rp100,000 principal and Rp20,000 mandatory savings; Joko Rp100,000."""
    sri, joko = tenants.a.members
    officer = tenants.a.users["bendahara"].id
    with books_of(db, tenants.a) as session:
        deposit(session, sri, SavingsKind.POKOK, 100_000, officer)
        deposit(session, sri, SavingsKind.WAJIB, 20_000, officer)
        deposit(session, joko, SavingsKind.POKOK, 100_000, officer)
    return sri.id, joko.id


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def switch(client):
    page = text(client.get("/kelola/tagihan/pengaturan"))
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "key": hidden(page, "key"),
        "to": hidden(page, "to"),
    }
    return client.post("/kelola/tagihan/pengaturan/klasifikasi", data=data), data


def sections(session):
    sheet = balance_sheet(session, TODAY)
    assert sheet.balanced
    return (
        {line.account.code: line.amount for line in sheet.liabilities.lines},
        {line.account.code: line.amount for line in sheet.equity.lines},
    )


def test_savings_move_to_liabilities_and_back_without_changing_anyones_balance(
    bendahara, db, tenants, shares
):
    sri, joko = shares
    assert "They count as equity." in text(bendahara.get("/kelola/tagihan/pengaturan"))
    moved, data = switch(bendahara)
    assert moved.status_code == 302
    again = bendahara.post("/kelola/tagihan/pengaturan/klasifikasi", data=data)  # a retry
    assert again.status_code == 302
    assert "They count as liabilities." in text(bendahara.get("/kelola/tagihan/pengaturan"))
    with books_of(db, tenants.a) as session:
        liabilities, equity = sections(session)
        assert liabilities["2-191"] == 200_000
        assert liabilities["2-192"] == 20_000
        assert "3-101" not in equity
        assert "3-102" not in equity
        assert savings.balances(session, sri)[SavingsKind.POKOK] == 100_000
        assert savings.balances(session, sri)[SavingsKind.WAJIB] == 20_000
        _opening, rows = savings.member_statement(session, sri, TODAY.replace(day=1), TODAY)
        assert len(rows) == 2  # the two deposits; the reclassification is nobody's movement
        summary = savings_summary(session, TODAY)
        assert summary.ledger[SavingsKind.POKOK] == 200_000
        # New movements follow the classification.
        deposit(session, tenants.a.members[1], SavingsKind.WAJIB, 30_000, 1)
        liabilities, _equity = sections(session)
        assert liabilities["2-192"] == 50_000
    back, _data = switch(bendahara)
    assert back.status_code == 302
    with books_of(db, tenants.a) as session:
        liabilities, equity = sections(session)
        assert "2-191" not in liabilities
        assert (equity["3-101"], equity["3-102"]) == (200_000, 50_000)
        assert savings.balances(session, joko)[SavingsKind.WAJIB] == 30_000


def test_a_reclassification_is_never_dated_before_the_movements_it_would_move(db, tenants, shares):
    officer = tenants.a.users["bendahara"].id
    with books_of(db, tenants.a) as session:
        before = ledger.count_entries(session)
        with pytest.raises(LedgerError) as refused:
            classification.reclassify(
                session,
                as_liabilities=True,
                on=TODAY - timedelta(days=1),  # the day before the deposits
                idempotency_key=uuid.uuid4(),
                user_id=officer,
            )
        assert refused.value.code == "later_postings"
        session.rollback()
        assert ledger.count_entries(session) == before
        assert not classification.shares_are_liabilities(session)


def test_only_the_treasurer_changes_the_classification(alpha, shares):
    login(alpha, "ana@kopalpha.id")
    assert alpha.post("/kelola/tagihan/pengaturan/klasifikasi").status_code in (400, 403)
    page = text(alpha.get("/kelola"))
    token = hidden(page, "csrf_token") if 'name="csrf_token"' in page else ""
    response = alpha.post(
        "/kelola/tagihan/pengaturan/klasifikasi",
        data={"csrf_token": token, "key": str(uuid.uuid4())},
    )
    assert response.status_code in (400, 403)


def test_a_correction_of_an_earlier_deposit_lands_where_the_balance_now_is(
    bendahara, db, tenants, shares
):
    switch(bendahara)
    with books_of(db, tenants.a) as session:
        (deposit_entry,) = [
            e
            for e in ledger.recent_entries(session)
            if e.description.startswith("Setoran simpanan wajib")
        ]
        ledger.reverse_entry(
            session,
            deposit_entry,
            entry_date=TODAY,
            reason="salah",
            idempotency_key=uuid.uuid4(),
            account_map=classification.moved_accounts(session),
        )
        session.commit()
        liabilities, equity = sections(session)
        assert "2-192" not in liabilities  # Sri's 20,000 of wajib, corrected away
        assert "3-102" not in equity


def test_entries_owned_by_other_records_are_not_reversed_from_the_journal(
    bendahara, db, tenants, shares
):
    switch(bendahara)
    with books_of(db, tenants.a) as session:
        reclass = next(e for e in ledger.recent_entries(session) if e.source == "reclass")
        with pytest.raises(LedgerError) as refused:
            ledger.reverse_entry(
                session, reclass, entry_date=TODAY, reason="x", idempotency_key=uuid.uuid4()
            )
        assert refused.value.code == "owned_entry"
    page = text(bendahara.get("/kelola/jurnal"))
    assert f'action="/kelola/jurnal/{reclass.id}/balik"' not in page
