"""Consignment (titip jual): a consignor's goods sold at the counter owe their share to the
consignor and the fee to the cooperative, with no inventory or cost of goods; a settlement pays
each sold line once; unsold goods go back; the database refuses what must never happen."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.gerai import consignment, queries, sales
from saas.gerai import operations as gerai
from saas.gerai.models import (
    ConsignmentSettlement,
    GeraiProduct,
    MovementKind,
    SaleMethod,
)
from saas.gerai.rules import CartLine, GeraiError
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from tests.factories import books_of, refused_by_database
from tests.integration.test_gerai import SOLD_ON, balance, checkout

BROUGHT_ON = date(2026, 11, 10)
SETTLED_ON = date(2026, 11, 20)


def add_chips(session, unit_id: int, consignor_id: int, *, fee: int = 2_000) -> GeraiProduct:
    return gerai.save_product(
        session,
        unit_id,
        None,
        gerai.ProductDetails(
            code="KRP01",
            name="Keripik singkong Bu Sri",
            measure="bungkus",
            price=10_000,
            cost=0,
            low_stock=0,
            is_public=True,
            is_active=True,
            consignor_id=consignor_id,
            consignment_fee=fee,
        ),
    )


def bring(session, unit_id, consignor_id, product_id, quantity, *, kind=None, key=None):
    return consignment.move_goods(
        session,
        consignment.ConsignedGoods(
            unit_id=unit_id,
            consignor_id=consignor_id,
            kind=kind or MovementKind.CONSIGNED,
            moved_on=BROUGHT_ON,
            lines=[consignment.ConsignedLine(product_id, quantity)],
            idempotency_key=key or uuid.uuid4(),
        ),
    )


def settle(session, unit_id, consignor_id, *, key=None, on=SETTLED_ON, paid_from="cash"):
    return consignment.settle(
        session,
        unit_id,
        consignment.Settle(
            consignor_id=consignor_id,
            settled_on=on,
            paid_from=paid_from,
            idempotency_key=key or uuid.uuid4(),
            user_id=None,
        ),
    )


@pytest.fixture
def consigned(db, tenants):
    """Alpha's shop holding 20 packs of a member's chips at Rp10,000, the fee Rp2,000 a pack,
    and cash in the till to pay her."""
    with books_of(db, tenants.a) as session:
        unit_id = tenants.a.units[0].id
        sri = session.merge(tenants.a.members[0])
        consignor = consignment.save_consignor(
            session, unit_id, None, name="", member=sri, phone="0812"
        )
        chips = add_chips(session, unit_id, consignor.id)
        bring(session, unit_id, consignor.id, chips.id, 20)
        session.commit()
        yield session, unit_id, consignor, chips


def test_a_member_consignor_goes_by_the_members_name(consigned, tenants):
    _session, _unit_id, consignor, _chips = consigned
    assert (consignor.name, consignor.member_id) == (
        tenants.a.members[0].name,
        tenants.a.members[0].id,
    )


def test_consigned_goods_add_to_the_stock_at_no_value_and_post_nothing(consigned):
    session, _unit_id, _consignor, chips = consigned
    assert (chips.on_hand, chips.stock_value) == (20, 0)
    assert balance(session, "inventory") == 0
    assert balance(session, "consignment_held") == 0


def test_a_sale_of_consigned_goods_owes_the_consignor_and_earns_the_fee_without_cost(consigned):
    session, unit_id, _consignor, chips = consigned
    cash = balance(session, "cash")
    sale, _created = sales.sell(session, checkout(unit_id, [CartLine(chips.id, 3)]))
    assert sale.total == 30_000
    assert balance(session, "cash") - cash == 30_000
    assert balance(session, "consignment_held") == -24_000  # owed: a credit balance
    assert balance(session, "consignment_fees") == -6_000
    assert balance(session, "sales_non_members") == 0
    assert balance(session, "cogs") == 0
    assert session.get(GeraiProduct, chips.id).on_hand == 17


def test_consigned_goods_are_never_sold_beyond_what_the_consignor_brought(consigned):
    session, unit_id, _consignor, chips = consigned
    gerai.save_settings(session, unit_id, allow_negative_stock=True)
    with pytest.raises(GeraiError) as refused:
        sales.sell(session, checkout(unit_id, [CartLine(chips.id, 21)]))
    assert (refused.value.code, refused.value.details["on_hand"]) == ("out_of_stock", 20)


def test_settlement_pays_what_the_sold_goods_earned_once(consigned):
    session, unit_id, consignor, chips = consigned
    cash = balance(session, "cash")
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 3)]))
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 2)]))
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)], method=SaleMethod.QRIS))
    key = uuid.uuid4()
    first, created = settle(session, unit_id, consignor.id, key=key)
    again, created_again = settle(session, unit_id, consignor.id, key=key)
    assert (created, created_again, again.id) == (True, False, first.id)
    assert first.amount == 6 * 8_000
    assert balance(session, "consignment_held") == 0
    assert balance(session, "cash") - cash == 50_000 - 48_000  # cash sales in, the payment out
    with pytest.raises(GeraiError) as refused:
        settle(session, unit_id, consignor.id)  # the same period, a new form
    assert refused.value.code == "nothing_to_settle"
    assert session.scalar(select(func.count()).select_from(ConsignmentSettlement)) == 1


def test_a_settlement_leaves_sales_after_its_day_for_the_next(consigned):
    session, unit_id, consignor, chips = consigned
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)], on=SOLD_ON))
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)], on=date(2026, 11, 25)))
    first, _ = settle(session, unit_id, consignor.id, on=SETTLED_ON)
    second, _ = settle(session, unit_id, consignor.id, on=date(2026, 11, 26))
    assert (first.amount, second.amount) == (8_000, 8_000)


def test_returning_unsold_goods_takes_them_off_the_stock_once(consigned):
    session, unit_id, consignor, chips = consigned
    key = uuid.uuid4()
    bring(session, unit_id, consignor.id, chips.id, 5, kind=MovementKind.RETURNED, key=key)
    bring(session, unit_id, consignor.id, chips.id, 5, kind=MovementKind.RETURNED, key=key)
    assert session.get(GeraiProduct, chips.id).on_hand == 15
    with pytest.raises(GeraiError) as refused:
        bring(session, unit_id, consignor.id, chips.id, 16, kind=MovementKind.RETURNED)
    assert refused.value.code == "out_of_stock"


def test_another_consignors_or_the_shops_own_goods_are_not_theirs_to_bring(consigned):
    session, unit_id, _consignor, chips = consigned
    other = consignment.save_consignor(
        session, unit_id, None, name="Pak Budi", member=None, phone=""
    )
    with pytest.raises(GeraiError) as refused:
        bring(session, unit_id, other.id, chips.id, 1)
    assert refused.value.code == "not_theirs"


def test_consigned_goods_are_never_bought_from_a_supplier(consigned):
    session, unit_id, _consignor, chips = consigned
    with pytest.raises(GeraiError) as refused:
        gerai.receive_goods(
            session,
            gerai.Delivery(
                unit_id=unit_id,
                supplier="Grosir",
                received_on=BROUGHT_ON,
                payment=gerai.SupplierPayment.CASH,
                lines=[gerai.ReceivedLine(chips.id, 1, 5_000)],
                idempotency_key=uuid.uuid4(),
                user_id=None,
            ),
        )
    assert refused.value.code == "consigned_product"


@pytest.mark.parametrize(
    ("fee", "cost", "consignor", "code"),
    [
        (10_001, 0, True, "fee_above_price"),
        (-1, 0, True, "fee_above_price"),
        (0, 5_000, True, "consigned_cost"),
        (1_000, 0, False, "fee_without_consignor"),
    ],
)
def test_a_fee_above_the_price_or_a_consigned_cost_is_refused(fee, cost, consignor, code):
    with pytest.raises(GeraiError) as refused:
        gerai.ProductDetails(
            code="X",
            name="X",
            measure="pcs",
            price=10_000,
            cost=cost,
            low_stock=0,
            is_public=False,
            is_active=True,
            consignor_id=1 if consignor else None,
            consignment_fee=fee,
        )
    assert refused.value.code == code


def test_nothing_sold_is_nothing_to_settle(consigned):
    session, unit_id, consignor, _chips = consigned
    with pytest.raises(GeraiError) as refused:
        settle(session, unit_id, consignor.id)
    assert refused.value.code == "nothing_to_settle"


def test_another_units_consignor_cannot_be_settled_here(consigned, tenants):
    session, _unit_id, consignor, _chips = consigned
    with pytest.raises(GeraiError) as refused:
        settle(session, tenants.a.units[0].id + 10_000, consignor.id)
    assert refused.value.code == "unknown_consignor"


def test_the_statement_tells_what_sold_the_fees_and_what_was_paid(consigned):
    session, unit_id, consignor, chips = consigned
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 2)]))
    settle(session, unit_id, consignor.id)
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 1)], on=date(2026, 11, 25)))
    statement = queries.consignor_statement(session, consignor)
    assert (statement.earned, statement.fees, statement.paid, statement.owed) == (
        24_000,
        6_000,
        16_000,
        8_000,
    )
    assert [item.settlement_id is not None for item in statement.sold] == [True, False]


# -- the database's guards -----------------------------------------------------------------------


@pytest.fixture
def settled(consigned):
    session, unit_id, consignor, chips = consigned
    sales.sell(session, checkout(unit_id, [CartLine(chips.id, 2)]))
    settlement, _ = settle(session, unit_id, consignor.id)
    session.flush()
    return session, settlement


def test_the_database_never_changes_a_settlement_or_what_it_paid(settled, tenants):
    session, _settlement = settled
    schema = tenants.a.tenant.schema_name
    for statement in (
        "UPDATE gerai_consignment_settlements SET amount = 1",
        "DELETE FROM gerai_consignment_settlements",
        "DELETE FROM gerai_consignment_settled_lines",
        "TRUNCATE gerai_consignment_settled_lines",
        "UPDATE gerai_consignments SET moved_on = '2026-01-01'",
    ):
        assert "never changed" in refused_by_database(session, schema, statement)


def test_the_database_pays_a_sale_line_once(settled, tenants):
    session, _settlement = settled
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_consignment_settled_lines (sale_line_id, settlement_id)"
        " SELECT sale_line_id, settlement_id FROM gerai_consignment_settled_lines",
    )
    assert "pk_gerai_consignment_settled_lines" in error


def test_the_database_refuses_a_fee_above_the_price(consigned, tenants):
    session, _unit_id, _consignor, chips = consigned
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_products (unit_id, code, name, measure, price, cost, is_public,"
        " is_active, low_stock, on_hand, stock_value, consignor_id, consignment_fee)"
        " SELECT unit_id, 'Y', name, measure, price, 0, false, true, 0, 0, 0, consignor_id,"
        " price + 1 FROM gerai_products WHERE id = :id",
        id=chips.id,
    )
    assert "ck_gerai_products_consignment" in error


def test_the_database_refuses_consigned_goods_with_a_stock_value(consigned, tenants):
    session, _unit_id, _consignor, chips = consigned
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "UPDATE gerai_products SET stock_value = 1000 WHERE id = :id",
        id=chips.id,
    )
    assert "ck_gerai_products_consignment" in error


def test_the_database_refuses_a_consigned_movement_of_value(consigned, tenants):
    session, _unit_id, _consignor, _chips = consigned
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_stock_movements (product_id, kind, quantity, value, moved_on,"
        " consignment_id) SELECT product_id, 'consigned', 1, 500, moved_on, consignment_id"
        " FROM gerai_stock_movements",
    )
    assert "ck_gerai_stock_movements_consigned_of_no_value" in error


def test_the_database_refuses_a_share_larger_than_the_line(settled, tenants):
    session, _settlement = settled
    error = refused_by_database(
        session,
        tenants.a.tenant.schema_name,
        "INSERT INTO gerai_sale_lines (sale_id, description, quantity, price, cost, consignor_id,"
        " consignor_share) SELECT sale_id, 'x', 1, 100, 0, consignor_id, 101"
        " FROM gerai_sale_lines",
    )
    assert "ck_gerai_sale_lines_consignor_share" in error


def test_an_existing_chart_learns_the_consignment_roles(db):
    schema = "tpl_gerai_consignment_roles"
    with db.shard_transaction("main") as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, "t0030")
        connection.exec_driver_sql(
            f"UPDATE \"{schema}\".accounts SET role = NULL WHERE code IN ('2-103', '4-107')"
        )
        upgrade_schema(connection, schema, schemas.TENANT_MIGRATIONS, "t0031")
        roles = dict(
            connection.exec_driver_sql(
                f"SELECT code, role FROM \"{schema}\".accounts WHERE code IN ('2-103', '4-107')"
            ).all()
        )
    assert roles == {"2-103": "consignment_held", "4-107": "consignment_fees"}
