"""The gerai's books: goods received at moving-average cost, sales posted as one entry naming
the member (so their purchases count in SHU's jasa usaha), stock counts, the day's closing, and
the database refusing what must never happen to the shop's records."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from saas.gerai import operations as gerai
from saas.gerai import sales
from saas.gerai.models import GeraiProduct, Sale, SaleMethod, StockMovement, SupplierPayment
from saas.gerai.rules import CartLine, GeraiError, sale_number
from saas.ledger import operations as ledger
from saas.ledger.models import Account, JournalLine
from saas.ledger.rules import LedgerError
from saas.members.models import Counter, MemberStatus
from saas.shu import operations as shu
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from tests.factories import book_closed_2025, books_of, count_statements, refused_by_database

RECEIVED_ON = date(2026, 11, 10)
SOLD_ON = date(2026, 11, 12)


def add_rice(session, unit_id: int, *, price: int = 15_000) -> GeraiProduct:
    return gerai.save_product(
        session,
        unit_id,
        None,
        gerai.ProductDetails(
            code="899100",
            name="Beras 1 kg",
            measure="kg",
            price=price,
            cost=12_000,
            low_stock=3,
            is_public=False,
            is_active=True,
        ),
    )


def receive(session, unit_id: int, product_id: int, quantity: int, unit_cost: int, **kw):
    return gerai.receive_goods(
        session,
        gerai.Delivery(
            unit_id=unit_id,
            supplier="Grosir Makmur",
            received_on=kw.get("on", RECEIVED_ON),
            payment=kw.get("payment", SupplierPayment.CASH),
            lines=[gerai.ReceivedLine(product_id, quantity, unit_cost)],
            idempotency_key=kw.get("key") or uuid.uuid4(),
            user_id=None,
        ),
    )


def checkout(unit_id: int, lines, *, member=None, method=SaleMethod.CASH, on=SOLD_ON, key=None):
    return sales.Checkout(
        unit_id=unit_id,
        lines=lines,
        member=member,
        method=method,
        sold_on=on,
        idempotency_key=key or uuid.uuid4(),
        officer_id=None,
        officer_name="Kasir",
    )


def balance(session, role: str, member_id: int | None = None) -> int:
    """Debit minus credit on the account of ``role`` (of one member when named)."""
    query = (
        select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .where(Account.role == role)
    )
    if member_id is not None:
        query = query.where(JournalLine.member_id == member_id)
    return int(session.scalar(query))


@pytest.fixture
def shop(db, tenants):
    """Alpha's shop with rice received: 10 kg at Rp12,000."""
    with books_of(db, tenants.a) as session:
        unit_id = tenants.a.units[0].id
        rice = add_rice(session, unit_id)
        receive(session, unit_id, rice.id, 10, 12_000)
        session.commit()
        yield session, unit_id, rice


def test_two_deliveries_value_the_stock_at_their_moving_average_cost(shop):
    session, unit_id, rice = shop
    inventory_before = balance(session, "inventory")
    receive(session, unit_id, rice.id, 10, 13_000)
    assert (rice.on_hand, rice.stock_value, rice.average_cost) == (20, 250_000, 12_500)
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 4)]))
    assert sale.lines[0].cost == 50_000  # 4 kg at the average of both deliveries
    assert (rice.on_hand, rice.stock_value) == (16, 200_000)
    assert balance(session, "inventory") == inventory_before + 130_000 - 50_000


def test_goods_received_are_paid_from_cash_or_owed_to_the_supplier(shop):
    session, unit_id, rice = shop
    cash_before = balance(session, "cash")
    receive(session, unit_id, rice.id, 5, 11_000, payment=SupplierPayment.PAYABLE)
    assert balance(session, "cash") == cash_before
    assert balance(session, "trade_payables") == -55_000


def test_a_credit_sale_to_a_member_is_one_entry_naming_the_member(shop, tenants):
    session, unit_id, rice = shop
    sri = session.merge(tenants.a.members[0])
    sale, created = sales.sell(
        session, checkout(unit_id, [CartLine(rice.id, 2)], member=sri, method=SaleMethod.CREDIT)
    )
    lines = session.scalars(
        select(JournalLine).where(JournalLine.entry_id == sale.entry_id).order_by(JournalLine.id)
    ).all()
    roles = {session.get(Account, line.account_id).role: line for line in lines}
    assert created
    assert (sale.total, sale.number[:8]) == (30_000, "NJ-2026-")
    assert (roles["trade_receivables"].debit, roles["trade_receivables"].member_id) == (
        30_000,
        sri.id,
    )
    assert (roles["sales_members"].credit, roles["sales_members"].member_id) == (30_000, sri.id)
    assert (roles["cogs"].debit, roles["inventory"].credit) == (24_000, 24_000)
    assert balance(session, "trade_receivables", sri.id) == 30_000


def test_a_sale_to_the_public_is_revenue_from_non_members(shop):
    session, unit_id, rice = shop
    free = CartLine(None, 1, price=2_000, description="Kantong plastik")
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1), free]))
    assert (sale.total, sale.member_id) == (17_000, None)
    assert balance(session, "sales_non_members") == -17_000
    assert balance(session, "sales_members") == 0
    assert balance(session, "cogs") == 12_000  # the free amount moves no stock


def test_credit_to_the_public_is_refused(shop):
    session, unit_id, rice = shop
    with pytest.raises(GeraiError) as refused:
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], method=SaleMethod.CREDIT))
    assert refused.value.code == "credit_to_public"
    assert session.scalar(select(func.count()).select_from(Sale)) == 0


def test_selling_more_than_in_stock_is_refused_with_the_quantity_on_hand(shop):
    session, unit_id, rice = shop
    with pytest.raises(GeraiError) as refused:
        # The same item scanned twice counts once against the stock.
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 6), CartLine(rice.id, 5)]))
    assert (refused.value.code, refused.value.details["on_hand"]) == ("out_of_stock", 10)


def test_a_unit_that_allows_negative_stock_sells_what_it_has_not_received(shop):
    session, unit_id, rice = shop
    gerai.save_settings(session, unit_id, allow_negative_stock=True)
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 12)]))
    rice = session.get(GeraiProduct, rice.id)
    assert sale.lines[0].cost == 120_000 + 2 * 12_000
    assert (rice.on_hand, rice.stock_value) == (-2, -24_000)


def test_the_same_key_twice_makes_one_sale(shop):
    session, unit_id, rice = shop
    key = uuid.uuid4()
    first, created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], key=key))
    again, created_again = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], key=key))
    assert (created, created_again, again.id) == (True, False, first.id)
    assert session.get(GeraiProduct, rice.id).on_hand == 9


def test_a_sale_is_three_statements_writing_its_lines_stock_and_movements_in_cart_order(db, shop):
    session, unit_id, rice = shop
    oil = gerai.save_product(
        session,
        unit_id,
        None,
        gerai.ProductDetails(
            code="899200",
            name="Minyak 1 l",
            measure="pcs",
            price=20_000,
            cost=16_000,
            low_stock=0,
            is_public=False,
            is_active=True,
        ),
    )
    receive(session, unit_id, oil.id, 4, 16_000)
    first, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)]))
    cart = [
        CartLine(oil.id, 2),
        CartLine(None, 1, price=500, description="Kantong"),
        CartLine(rice.id, 3),
    ]
    (sale, created), statements = count_statements(
        db, lambda: sales.sell(session, checkout(unit_id, cart))
    )
    assert created
    assert len(statements) == 3  # the products locked; the entry; the sale with all it writes
    assert sale.number == f"NJ-2026-{int(first.number.rsplit('-', 1)[1]) + 1:06d}"
    assert [(line.description, line.quantity, line.cost) for line in sale.lines] == [
        ("Minyak 1 l", 2, 32_000),
        ("Kantong", 1, 0),
        ("Beras 1 kg", 3, 36_000),
    ]
    # The products this session holds show the stock the statement took.
    assert (rice.on_hand, rice.stock_value, oil.on_hand, oil.stock_value) == (
        6,
        72_000,
        2,
        32_000,
    )
    moved = session.execute(
        select(StockMovement.product_id, StockMovement.quantity, StockMovement.value)
        .where(StockMovement.sale_id == sale.id)
        .order_by(StockMovement.product_id)
    ).all()
    assert sorted(moved) == sorted([(oil.id, -2, -32_000), (rice.id, -3, -36_000)])
    assert session.get_one(Sale, sale.id).token == sale.token


def test_sale_numbers_grow_past_six_digits(shop):
    session, unit_id, rice = shop
    session.execute(
        insert(Counter)
        .values(name=sales.SALE_COUNTER, value=999_999)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": 999_999})
    )
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)]))
    assert sale.number == sale_number(2026, 1_000_000) == "NJ-2026-1000000"


def test_a_retry_after_the_buyer_left_returns_the_first_sale(shop, tenants):
    session, unit_id, rice = shop
    sri = session.merge(tenants.a.members[0])
    key = uuid.uuid4()
    first, _created = sales.sell(
        session, checkout(unit_id, [CartLine(rice.id, 1)], member=sri, key=key)
    )
    sri.status = MemberStatus.LEFT
    again, created = sales.sell(
        session, checkout(unit_id, [CartLine(rice.id, 1)], member=sri, key=key)
    )
    assert (again.id, created) == (first.id, False)
    with pytest.raises(GeraiError) as refused:  # a new sale to them is refused
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], member=sri))
    assert refused.value.code == "member_left"


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (CartLine(None, 1, price=0), "bad_price"),
        (CartLine(None, 1, price=-5_000), "bad_price"),
        (CartLine(None, 1, price=10**13), "bad_price"),
        (CartLine(None, 0, price=5_000), "bad_quantity"),
        (CartLine(None, 1_000_000, price=5_000), "bad_quantity"),
    ],
)
def test_zero_negative_or_absurd_prices_and_quantities_are_refused(shop, line, code):
    session, unit_id, _rice = shop
    with pytest.raises(GeraiError) as refused:
        sales.sell(session, checkout(unit_id, [line]))
    assert refused.value.code == code


def test_a_sale_in_a_closed_month_is_refused(shop, tenants):
    session, unit_id, rice = shop
    ledger.close_period(
        session, 2025, 12, user_id=tenants.a.users["bendahara"].id, today=date(2026, 11, 29)
    )
    with pytest.raises(LedgerError) as refused:
        sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], on=date(2025, 12, 20)))
    assert refused.value.code == "period_closed"


def test_a_members_purchases_count_in_the_shu_plans_jasa_usaha(db, tenants):
    unit_id = tenants.a.units[0].id
    first = tenants.a.members[0].id
    with books_of(db, tenants.a) as session:
        rice = add_rice(session, unit_id)
        receive(session, unit_id, rice.id, 10, 12_000, on=date(2025, 11, 1))
        sri = session.merge(tenants.a.members[0])
        sales.sell(
            session,
            checkout(unit_id, [CartLine(rice.id, 4)], member=sri, on=date(2025, 11, 2)),
        )
        session.commit()
    book_closed_2025(db, tenants.a)  # Sri also paid Rp300,000 of loan interest in 2025
    with books_of(db, tenants.a) as session:
        plan = shu.plan(session, 2025, shu.get_percentages(session))
    shares = {share.member_id: share for share in plan.shares}
    assert shares[first].transactions == 300_000 + 60_000
    assert plan.member_revenue == 300_000 + 100_000 + 60_000


def test_a_stock_count_posts_its_difference_once(shop):
    session, unit_id, rice = shop
    expense_before = balance(session, "other_expense")
    key = uuid.uuid4()
    count = gerai.Count(unit_id, RECEIVED_ON, {rice.id: 8}, "other_expense", key, None)
    record, created = gerai.count_stock(session, count)
    again, created_again = gerai.count_stock(session, count)
    assert (created, created_again, again.id) == (True, False, record.id)
    assert record.difference == -24_000
    assert (rice.on_hand, rice.stock_value) == (8, 96_000)
    assert balance(session, "other_expense") == expense_before + 24_000
    assert balance(session, "inventory") == 96_000


def test_closing_a_day_posts_the_cash_shortfall_once(shop):
    session, unit_id, rice = shop
    sales.sell(session, checkout(unit_id, [CartLine(rice.id, 2)]))
    sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)], method=SaleMethod.QRIS))
    expense_before = balance(session, "other_expense")
    closing = sales.close_day(
        session, unit_id, SOLD_ON, counted=28_000, idempotency_key=uuid.uuid4(), user_id=None
    )
    assert (closing.expected, closing.difference) == (30_000, -2_000)
    assert balance(session, "other_expense") == expense_before + 2_000
    with pytest.raises(GeraiError) as refused:
        sales.close_day(
            session, unit_id, SOLD_ON, counted=30_000, idempotency_key=uuid.uuid4(), user_id=None
        )
    assert refused.value.code == "day_closed"


# -- the database's guards -----------------------------------------------------------------------


@pytest.fixture
def sold(shop):
    session, unit_id, rice = shop
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(rice.id, 1)]))
    session.flush()
    return session, sale


def test_the_database_never_changes_or_deletes_a_stock_movement(sold, tenants):
    session, _sale = sold
    schema = tenants.a.tenant.schema_name
    for statement in (
        "UPDATE gerai_stock_movements SET quantity = 5",
        "DELETE FROM gerai_stock_movements",
        "TRUNCATE gerai_stock_movements CASCADE",
    ):
        assert "never changed" in refused_by_database(session, schema, statement)
    assert session.scalar(select(func.count()).select_from(StockMovement)) == 2


def test_the_database_never_changes_a_sale_or_its_lines(sold, tenants):
    session, _sale = sold
    schema = tenants.a.tenant.schema_name
    for statement in (
        "UPDATE gerai_sales SET total = 1",
        "DELETE FROM gerai_sales",
        "UPDATE gerai_sale_lines SET price = 1",
        "DELETE FROM gerai_sale_lines",
    ):
        assert "never changed" in refused_by_database(session, schema, statement)


def test_the_database_refuses_a_movement_of_nothing(sold, tenants):
    session, _sale = sold
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_stock_movements (product_id, kind, quantity, value, moved_on, sale_id)"
        " SELECT product_id, 'sold', 0, 0, '2026-11-12', sale_id FROM gerai_sale_lines",
    )
    assert "quantity_not_zero" in error


@pytest.mark.parametrize(("price", "quantity"), [(0, 1), (-100, 1), (1_000, 0), (1_000, -1)])
def test_the_database_refuses_a_sale_line_without_a_positive_price_and_quantity(
    sold, tenants, price, quantity
):
    session, sale = sold
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_sale_lines (sale_id, description, quantity, price, cost)"
        " VALUES (:sale, 'x', :quantity, :price, 0)",
        sale=sale.id,
        quantity=quantity,
        price=price,
    )
    assert "ck_gerai_sale_lines_positive" in error


def test_the_database_refuses_credit_without_a_member(sold, tenants):
    session, _sale = sold
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_sales (unit_id, number, entry_id, method, total, sold_on, officer_name,"
        " created_at) SELECT unit_id, 'NJ-X', entry_id, 'credit', 1, sold_on, '', now()"
        " FROM gerai_sales",
    )
    assert "ck_gerai_sales_credit_to_members" in error


def test_goods_received_twice_under_one_key_are_received_once(shop):
    session, unit_id, rice = shop
    key = uuid.uuid4()
    first, created = receive(session, unit_id, rice.id, 5, 12_000, key=key)
    again, created_again = receive(session, unit_id, rice.id, 5, 12_000, key=key)
    assert (created, created_again, again.id) == (True, False, first.id)
    assert session.get(GeraiProduct, rice.id).on_hand == 15


def test_a_count_that_finds_more_than_the_books_values_it_at_the_average_cost(shop):
    session, unit_id, rice = shop
    count = gerai.Count(unit_id, RECEIVED_ON, {rice.id: 11}, "cogs", uuid.uuid4(), None)
    record, _created = gerai.count_stock(session, count)
    assert record.difference == 12_000
    assert balance(session, "cogs") == -12_000
    assert balance(session, "inventory") == 132_000


def test_the_same_item_on_many_lines_is_held_to_the_largest_quantity_once_added_up(shop):
    session, unit_id, rice = shop
    gerai.save_settings(session, unit_id, allow_negative_stock=True)
    with pytest.raises(GeraiError) as refused:
        sales.sell(
            session, checkout(unit_id, [CartLine(rice.id, 60_000), CartLine(rice.id, 50_000)])
        )
    assert refused.value.code == "bad_quantity"


def test_a_sale_too_large_for_one_entry_is_refused(shop):
    session, unit_id, _rice = shop
    lines = [CartLine(None, 100_000, price=1_000_000_000)] * 11
    with pytest.raises(LedgerError) as refused:
        sales.sell(session, checkout(unit_id, lines))
    assert refused.value.code == "too_large"


def test_an_existing_chart_learns_the_receivables_and_payables_roles(db):
    schema = "tpl_gerai_roles"
    with db.shard_transaction("main") as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, "t0029")
        connection.exec_driver_sql(
            f"UPDATE \"{schema}\".accounts SET role = NULL WHERE code IN ('1-105', '2-102')"
        )
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, "t0030")
        roles = dict(
            connection.exec_driver_sql(
                f"SELECT code, role FROM \"{schema}\".accounts WHERE code IN ('1-105', '2-102')"
            ).all()
        )
    assert roles == {"1-105": "trade_receivables", "2-102": "trade_payables"}


def test_goods_received_in_a_closed_month_are_refused_and_leave_the_stock(shop, tenants):
    session, unit_id, rice = shop
    ledger.close_period(
        session, 2025, 12, user_id=tenants.a.users["bendahara"].id, today=date(2026, 11, 29)
    )
    with pytest.raises(LedgerError) as refused:
        receive(session, unit_id, rice.id, 5, 12_000, on=date(2025, 12, 20))
    session.rollback()
    assert refused.value.code == "period_closed"
    assert session.get(GeraiProduct, rice.id).on_hand == 10
