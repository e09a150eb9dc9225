"""Cashiers selling at the same moment, on committed books: each on its own connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.gerai import consignment, sales
from saas.gerai import operations as gerai
from saas.gerai.models import (
    ConsignmentSettlement,
    GeraiProduct,
    MovementKind,
    Sale,
    SaleMethod,
    SupplierPayment,
)
from saas.gerai.rules import CartLine
from saas.microsite import operations as microsite
from saas.microsite.models import UnitKind, UnitStatus
from tests.integration.committed import OFFICERS as CASHIERS
from tests.integration.committed import Books, at_once, committed_books

SOLD_ON = date(2026, 10, 5)


@pytest.fixture
def shop(app) -> Iterator[tuple[Books, int, int]]:
    """Committed books with a shop holding one bottle of cooking oil."""
    with committed_books(app) as books, books.session() as session:
        unit = microsite.save_unit(
            session,
            None,
            kind=UnitKind.SEMBAKO,
            name="Gerai",
            status=UnitStatus.RUNNING,
            description=None,
            opening_hours=None,
        )
        details = gerai.ProductDetails("8990001", "Minyak 1 L", "botol", 20_000, 0, 0, False, True)
        oil = gerai.save_product(session, unit.id, None, details)
        line = gerai.ReceivedLine(oil.id, 1, 17_000)
        delivery = gerai.Delivery(
            unit.id, "Grosir", SOLD_ON, SupplierPayment.PAYABLE, [line], uuid.uuid4(), None
        )
        gerai.receive_goods(session, delivery)
        session.commit()
        yield books, unit.id, oil.id


def sell_one(unit_id: int, oil_id: int, key: uuid.UUID):
    def work(session) -> tuple[str, bool]:
        checkout = sales.Checkout(
            unit_id, [CartLine(oil_id, 1)], None, SaleMethod.CASH, SOLD_ON, key, None, "K"
        )
        sale, created = sales.sell(session, checkout)
        return sale.number, created

    return work


def test_the_last_item_sold_by_every_cashier_at_once_is_sold_once(shop):
    books, unit_id, oil_id = shop

    def with_its_own_key(session):
        return sell_one(unit_id, oil_id, uuid.uuid4())(session)

    results = at_once(books, with_its_own_key)
    assert sorted(str(r) for r in results).count("out_of_stock") == CASHIERS - 1
    with books.session() as session:
        assert session.get_one(GeraiProduct, oil_id).on_hand == 0
        assert session.scalar(select(func.count()).select_from(Sale)) == 1


def test_one_sale_sent_by_every_cashier_at_once_is_recorded_once(shop):
    books, unit_id, oil_id = shop
    results = at_once(books, sell_one(unit_id, oil_id, uuid.uuid4()))
    assert len({number for number, _created in results}) == 1
    assert sorted(created for _number, created in results) == [False] * (CASHIERS - 1) + [True]


@pytest.fixture
def consigned(shop) -> tuple[Books, int, int]:
    """The shop selling one pack of a consignor's chips (Rp10,000, the fee Rp2,000) for cash."""
    books, unit_id, _oil_id = shop
    with books.session() as session:
        consignor = consignment.save_consignor(
            session, unit_id, None, name="Bu Rahmi", member=None, phone=""
        )
        chips = gerai.save_product(
            session,
            unit_id,
            None,
            gerai.ProductDetails(
                "UMKM1", "Keripik", "bungkus", 10_000, 0, 0, False, True, consignor.id, 2_000
            ),
        )
        goods = consignment.ConsignedGoods(
            unit_id,
            consignor.id,
            MovementKind.CONSIGNED,
            SOLD_ON,
            [consignment.ConsignedLine(chips.id, 1)],
            uuid.uuid4(),
        )
        consignment.move_goods(session, goods)
        checkout = sales.Checkout(
            unit_id,
            [CartLine(chips.id, 1)],
            None,
            SaleMethod.CASH,
            SOLD_ON,
            uuid.uuid4(),
            None,
            "K",
        )
        sales.sell(session, checkout)
        session.commit()
        return books, unit_id, consignor.id


def settle_with(unit_id: int, consignor_id: int, key: uuid.UUID | None = None):
    def work(session) -> tuple[int, bool]:
        request = consignment.Settle(consignor_id, SOLD_ON, "cash", key or uuid.uuid4(), None)
        settlement, created = consignment.settle(session, unit_id, request)
        return settlement.id, created

    return work


def test_a_consignor_settled_by_every_officer_at_once_is_paid_once(consigned):
    books, unit_id, consignor_id = consigned
    results = at_once(books, settle_with(unit_id, consignor_id))
    assert sorted(str(r) for r in results).count("nothing_to_settle") == CASHIERS - 1
    with books.session() as session:
        assert session.scalars(select(ConsignmentSettlement.amount)).all() == [8_000]


def test_one_settlement_sent_by_every_officer_at_once_pays_once(consigned):
    books, unit_id, consignor_id = consigned
    results = at_once(books, settle_with(unit_id, consignor_id, uuid.uuid4()))
    assert len({settlement_id for settlement_id, _created in results}) == 1
    assert sorted(created for _id, created in results) == [False] * (CASHIERS - 1) + [True]
    with books.session() as session:
        assert session.scalar(select(func.count()).select_from(ConsignmentSettlement)) == 1
