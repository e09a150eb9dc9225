"""Reversing a sale: the ledger's reversing entry, the goods back in stock at the cost they left
at, a member's credit and a consignor's share taken back, once; refused where the sale must
stand; the database refusing what must never happen; the receipt and its check page."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.gerai import consignment, credit, reports, sales
from saas.gerai.models import (
    MovementKind,
    Sale,
    SaleMethod,
    SaleReversal,
    StockMovement,
)
from saas.gerai.reversal import TakeBack, reverse_sale
from saas.gerai.rules import CartLine, GeraiError
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource, JournalEntry
from saas.ledger.rules import LedgerError
from saas.savings.models import PaymentMethod
from tests.factories import PASSWORD, books_of, hidden, login, refused_by_database, text
from tests.integration.test_gerai import (
    SOLD_ON,
    add_rice,
    balance,
    checkout,
    receive,
)
from tests.integration.test_gerai_consignment import add_chips, bring, settle
from tests.integration.test_gerai_pages import KASIR, csrf_from_page

REVERSED_ON = date(2026, 11, 14)


def take_back(*, key: uuid.UUID | None = None, on: date = REVERSED_ON) -> TakeBack:
    return TakeBack(
        reason="Salah input jumlah",
        reversed_on=on,
        idempotency_key=key or uuid.uuid4(),
        officer_id=None,
        officer_name="Bendahara",
    )


@pytest.fixture
def shop(db, tenants):
    """Alpha's shop with 10 kg of rice at Rp12,000 and Sri, a member."""
    with books_of(db, tenants.a) as session:
        unit_id = tenants.a.units[0].id
        rice = add_rice(session, unit_id)
        receive(session, unit_id, rice.id, 10, 12_000)
        session.commit()
        yield session, unit_id, rice, session.merge(tenants.a.members[0])


def test_a_reversed_sale_puts_money_revenue_and_stock_back_at_the_cost_it_left_at(shop):
    session, unit_id, rice, _sri = shop
    cash_before = balance(session, "cash")
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 4)]))
    receive(session, unit_id, rice.id, 6, 14_000)  # the average moves after the sale
    reversal, created = reverse_sale(session, sale, take_back())
    assert created
    assert reversal.sale_id == sale.id
    assert (rice.on_hand, rice.stock_value) == (16, 6 * 12_000 + 6 * 14_000 + 48_000)
    assert balance(session, "inventory") == rice.stock_value
    assert balance(session, "cash") == cash_before - 6 * 14_000
    assert balance(session, "sales_non_members") == 0
    assert balance(session, "cogs") == 0
    entry = session.get(JournalEntry, reversal.entry_id)
    assert entry.reverses_id == sale.entry_id
    back = session.scalars(select(StockMovement).where(StockMovement.kind == MovementKind.UNSOLD))
    assert [(m.quantity, m.value, m.sale_id) for m in back] == [(4, 48_000, sale.id)]


def test_a_sale_is_reversed_once(shop):
    session, unit_id, rice, _sri = shop
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 2)]))
    key = uuid.uuid4()
    first, _created = reverse_sale(session, sale, take_back(key=key))
    again, created_again = reverse_sale(session, sale, take_back(key=key))
    assert (again.sale_id, created_again) == (first.sale_id, False)
    with pytest.raises(GeraiError) as refused:
        reverse_sale(session, sale, take_back())
    assert refused.value.code == "sale_reversed"
    assert rice.on_hand == 10


def test_the_books_never_reverse_a_sales_or_a_deliverys_entry_on_their_own(shop):
    """Undone in the journal alone, the sale would still stand and its stock stay sold: the
    sale is reversed on its receipt, a delivery by a stock count."""
    session, unit_id, rice, _sri = shop
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 2)]))
    delivery = session.scalar(select(JournalEntry).where(JournalEntry.source == EntrySource.STOCK))
    for entry in (session.get_one(JournalEntry, sale.entry_id), delivery):
        with pytest.raises(LedgerError) as refused:
            ledger.reverse_entry(
                session,
                entry,
                entry_date=entry.entry_date,
                reason="salah catat",
                idempotency_key=uuid.uuid4(),
            )
        assert refused.value.code == "owned_entry"
    assert rice.on_hand == 8


def test_a_credit_sale_reversed_takes_back_what_the_member_owes(shop):
    session, unit_id, rice, sri = shop
    sale, _created = sales.sell(
        session, checkout(unit_id, [CartLine(rice.id, 2)], member=sri, method=SaleMethod.CREDIT)
    )
    assert credit.owed_by(session, sri.id) == 30_000
    reverse_sale(session, sale, take_back())
    assert credit.owed_by(session, sri.id) == 0
    assert balance(session, "sales_members", sri.id) == 0  # no jasa usaha from it either


def test_a_credit_sale_the_member_paid_part_of_stands(shop):
    session, unit_id, rice, sri = shop
    sale, _created = sales.sell(
        session, checkout(unit_id, [CartLine(rice.id, 2)], member=sri, method=SaleMethod.CREDIT)
    )
    credit.collect_credit(
        session,
        sri,
        amount=10_000,
        method=PaymentMethod.CASH,
        paid_on=SOLD_ON,
        idempotency_key=uuid.uuid4(),
        officer_id=None,
    )
    with pytest.raises(GeraiError) as refused:
        reverse_sale(session, sale, take_back())
    assert (refused.value.code, refused.value.details["owed"]) == ("credit_paid_back", 20_000)


def test_a_sale_in_a_closed_month_is_not_reversed(shop, tenants):
    session, unit_id, rice, _sri = shop
    receive(session, unit_id, rice.id, 5, 12_000, on=date(2025, 12, 1))
    sale, _created = sales.sell(
        session, checkout(unit_id, [CartLine(rice.id, 1)], on=date(2025, 12, 20))
    )
    ledger.close_period(
        session, 2025, 12, user_id=tenants.a.users["bendahara"].id, today=date(2026, 11, 29)
    )
    with pytest.raises(GeraiError) as refused:
        reverse_sale(session, sale, take_back())
    assert refused.value.code == "period_closed"
    assert session.scalar(select(func.count()).select_from(SaleReversal)) == 0


def test_reversed_sales_leave_the_units_report_and_the_days_expected_cash(shop):
    session, unit_id, rice, _sri = shop
    kept, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)]))
    taken, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 3)]))
    reverse_sale(session, taken, take_back(on=SOLD_ON))
    report = reports.unit_report(session, unit_id, SOLD_ON, SOLD_ON)
    assert (report.period.sales, report.period.total) == (1, kept.total)
    assert [best.quantity for best in report.best] == [1]
    assert sales.expected_cash(session, unit_id, SOLD_ON) == kept.total


def test_cash_handed_back_on_a_later_day_is_taken_from_that_days_till(shop):
    session, unit_id, rice, _sri = shop
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 2)]))
    reverse_sale(session, sale, take_back(on=REVERSED_ON))
    assert sales.expected_cash(session, unit_id, SOLD_ON) == 30_000
    assert sales.expected_cash(session, unit_id, REVERSED_ON) == -30_000


# -- consigned goods ------------------------------------------------------------------------------


@pytest.fixture
def consigned(db, tenants):
    """Alpha's shop holding 20 packs of Sri's chips at Rp10,000, the fee Rp2,000 a pack."""
    with books_of(db, tenants.a) as session:
        unit_id = tenants.a.units[0].id
        sri = session.merge(tenants.a.members[0])
        consignor = consignment.save_consignor(
            session, unit_id, None, name="", member=sri, phone=""
        )
        chips = add_chips(session, unit_id, consignor.id)
        bring(session, unit_id, consignor.id, chips.id, 20)
        session.commit()
        yield session, unit_id, consignor, chips


def test_a_consigned_sale_reversed_owes_the_consignor_nothing_and_returns_their_goods(consigned):
    session, unit_id, consignor, chips = consigned
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(chips.id, 3)]))
    reverse_sale(session, sale, take_back())
    assert chips.on_hand == 20
    assert balance(session, "consignment_held") == 0
    assert balance(session, "consignment_fees") == 0
    assert consignment.unpaid_lines(session, consignor.id, REVERSED_ON) == []


def test_a_sale_whose_consigned_line_is_paid_to_the_consignor_stands(consigned):
    session, unit_id, consignor, chips = consigned
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(chips.id, 3)]))
    settle(session, unit_id, consignor.id)
    with pytest.raises(GeraiError) as refused:
        reverse_sale(session, sale, take_back())
    assert refused.value.code == "consignment_settled"
    assert chips.on_hand == 17


# -- the database's guards ----------------------------------------------------------------------


@pytest.fixture
def reversed_sale(shop):
    session, unit_id, rice, _sri = shop
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)]))
    other, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)]))
    reversal, _created = reverse_sale(session, sale, take_back())
    return session, sale, other, reversal


def test_the_database_reverses_a_sale_once_and_never_changes_the_reversal(reversed_sale, tenants):
    session, sale, _other, reversal = reversed_sale
    schema = tenants.a.tenant.schema_name
    twice = (
        "INSERT INTO gerai_sale_reversals (sale_id, entry_id, reversed_on, reason, officer_name,"
        " created_at) VALUES (:sale, :entry, '2026-11-14', 'lagi', 'X', now())"
    )
    assert "pk_gerai_sale_reversals" in refused_by_database(
        session, schema, twice, sale=sale.id, entry=reversal.entry_id
    )
    for statement in (
        "UPDATE gerai_sale_reversals SET reason = 'lain'",
        "DELETE FROM gerai_sale_reversals",
    ):
        assert "never changed" in refused_by_database(session, schema, statement)


def test_the_database_refuses_a_reversal_naming_an_entry_that_does_not_reverse_the_sale(
    reversed_sale, tenants
):
    session, _sale, other, _reversal = reversed_sale
    borrowed = (
        "INSERT INTO gerai_sale_reversals (sale_id, entry_id, reversed_on, reason, officer_name,"
        " created_at) VALUES (:sale, :entry, '2026-11-14', 'pinjam', 'X', now())"
    )
    error = refused_by_database(
        session, tenants.a.tenant.schema_name, borrowed, sale=other.id, entry=other.entry_id
    )
    assert "reversed only by the reversal of its own entry" in error


def test_the_database_never_pays_a_consignor_for_a_reversed_sale(consigned, tenants):
    session, unit_id, consignor, chips = consigned
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)]))
    kept, _created = sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)]))
    reverse_sale(session, sale, take_back())
    settlement, _created = settle(session, unit_id, consignor.id)
    assert settlement.amount == kept.lines[0].consignor_share  # the reversed line is not paid
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_consignment_settled_lines (sale_line_id, settlement_id)"
        " VALUES (:line, :settlement)",
        line=sale.lines[0].id,
        settlement=settlement.id,
    )
    assert "was reversed" in error


def test_the_database_refuses_reversing_a_sale_paid_to_its_consignor(consigned, tenants):
    session, unit_id, consignor, chips = consigned
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)]))
    settle(session, unit_id, consignor.id)
    entry = session.get(JournalEntry, sale.entry_id)
    reversing = ledger.reverse_entry(  # as a tool other than the sale's reversal would
        session,
        entry,
        entry_date=REVERSED_ON,
        reason="x",
        idempotency_key=uuid.uuid4(),
        by_owner=True,
    ).entry
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_sale_reversals (sale_id, entry_id, reversed_on, reason, officer_name,"
        " created_at) VALUES (:sale, :entry, '2026-11-14', 'x', 'X', now())",
        sale=sale.id,
        entry=reversing.id,
    )
    assert "paid to its consignor" in error


# -- the pages ------------------------------------------------------------------------------------


def sell_at_the_counter(client, unit_id: int, rice_id: int) -> str:
    """A cash sale of 2 kg of rice through the counter; its receipt's number."""
    page = text(client.get(f"/kelola/gerai/{unit_id}"))
    data = {
        "csrf_token": csrf_from_page(page),
        "key": hidden(page, "key"),
        "method": "cash",
        "line": f"p.{rice_id}.2",
        "action": "pay",
    }
    answer = client.post(f"/kelola/gerai/{unit_id}", data=data)
    assert answer.status_code == 302
    return answer.headers["Location"].rsplit("/", 1)[-1]


def test_the_treasurer_reverses_a_sale_on_its_receipt_and_its_check_page_says_so(
    alpha, shop, db, tenants
):
    _session, unit_id, rice, _sri = shop
    login(alpha, "bambang@kopalpha.id")
    number = sell_at_the_counter(alpha, unit_id, rice.id)
    page = text(alpha.get(f"/kelola/gerai/nota/{number}"))
    assert "Reverse the sale" in page
    data = {
        "csrf_token": csrf_from_page(page),
        "key": hidden(page, "key"),
        "reason": "Salah barang",
    }
    answer = alpha.post(f"/kelola/gerai/nota/{number}/batal", data=data)
    assert answer.status_code == 302
    page = text(alpha.get(f"/kelola/gerai/nota/{number}"))
    assert "Reversed on" in page
    assert "Reverse the sale" not in page
    with books_of(db, tenants.a) as session:
        sale = session.scalar(select(Sale).where(Sale.number == number))
        assert sale.reversal.reason == "Salah barang"
        check = text(alpha.get(f"/nota/{sale.token}"))
    assert "This sale was reversed on" in check
    again = alpha.post(f"/kelola/gerai/nota/{number}/batal", data=data)
    assert again.status_code == 302  # the same form again finds the first reversal


def test_a_reversal_without_a_reason_is_refused_on_the_form(alpha, shop, db, tenants):
    _session, unit_id, rice, _sri = shop
    login(alpha, "bambang@kopalpha.id")
    number = sell_at_the_counter(alpha, unit_id, rice.id)
    page = text(alpha.get(f"/kelola/gerai/nota/{number}"))
    data = {"csrf_token": csrf_from_page(page), "key": hidden(page, "key"), "reason": "  "}
    answer = alpha.post(f"/kelola/gerai/nota/{number}/batal", data=data)
    assert answer.status_code == 422
    assert "Write the reason." in text(answer)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(SaleReversal)) == 0


def test_a_cashier_sells_but_never_reverses_a_sale(alpha, shop, db, tenants):
    session, unit_id, rice, _sri = shop
    accounts.create_tenant_user(
        session, name="Kasir Alpha", email=KASIR, role=Role.STAFF, password=PASSWORD
    )
    session.commit()
    cashier = alpha
    login(cashier, KASIR)
    number = sell_at_the_counter(cashier, unit_id, rice.id)
    page = text(cashier.get(f"/kelola/gerai/nota/{number}"))
    assert "Reverse the sale" not in page
    data = {"csrf_token": csrf_from_page(page), "key": str(uuid.uuid4()), "reason": "Salah"}
    assert cashier.post(f"/kelola/gerai/nota/{number}/batal", data=data).status_code == 403
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(SaleReversal)) == 0
