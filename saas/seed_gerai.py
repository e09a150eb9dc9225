"""The demo cooperative's gerai sembako: its products, goods received a month ago, a month of
sales to members and the public (some on credit, some by QRIS), and a member's chips sold on
consignment, paid to her a week ago.

Every date is counted back from the demo's own "today", and the month starts no earlier than the
first day the books leave open; a demo without a shop gets none. Made once, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts import operations as accounts
from saas.gerai import consignment, sales
from saas.gerai import operations as gerai
from saas.gerai.models import GeraiProduct, MovementKind, SaleMethod, SupplierPayment
from saas.gerai.rules import CartLine
from saas.ledger import operations as ledger
from saas.members.models import Member
from saas.microsite.models import BusinessUnit, UnitKind

GERAI_KEYS = uuid.UUID("7a1c2e94-3b5d-4f08-9e6a-2d4c8b1f0a37")  # demo shop postings: one key each
DAYS = 30  # a month of sales, up to today
STOCKED = 40  # of each product received, enough for the month

# (code, name, unit of measure, price, cost, warn at, in the public catalogue)
PRODUCTS = (
    ("8991001", "Beras Pandan Wangi 5 kg", "karung", 75_000, 66_000, 5, True),
    ("8991002", "Minyak Goreng 1 L", "botol", 18_000, 15_500, 10, True),
    ("8991003", "Gula Pasir 1 kg", "kg", 17_500, 15_000, 10, True),
    ("8991004", "Telur Ayam 1 kg", "kg", 28_000, 25_000, 5, False),
    ("8991005", "Tepung Terigu 1 kg", "kg", 12_000, 10_000, 5, False),
)
CHIPS = ("UMKM01", "Keripik Singkong Euis", "bungkus", 12_000, 2_000)  # price, the fee a pack
CONSIGNOR = "0003"  # Euis Komariah brings her chips


def seed_gerai(session: Session, today: date) -> Iterator[str]:
    """Stock the demo's shop and sell from it for a month, once."""
    unit = session.scalar(select(BusinessUnit).where(BusinessUnit.kind == UnitKind.SEMBAKO))
    treasurer = accounts.find_tenant_user_by_login(session, "bendahara@sukamaju.id")
    members = {m.number: m for m in session.scalars(select(Member))}
    if unit is None or treasurer is None or CONSIGNOR not in members:
        return
    if session.scalar(select(func.count()).select_from(GeraiProduct)):
        return
    # A month up to today, or the days since the books were last closed.
    start = max(today - timedelta(days=DAYS - 1), ledger.first_open_day(session) or date.min)
    products = _stock(session, unit.id, start, treasurer.id)
    chips = _consign(session, unit.id, members[CONSIGNOR], start)
    shop = Shop(unit.id, products, chips, members, treasurer.id, treasurer.name)
    count = 0
    for offset in range((today - start).days + 1):
        for checkout in _day_of_sales(shop, start + timedelta(days=offset), offset):
            sales.sell(session, checkout)
            count += 1
    assert chips.consignor_id is not None
    consignment.settle(
        session,
        unit.id,
        consignment.Settle(
            consignor_id=chips.consignor_id,
            settled_on=max(today - timedelta(days=7), start),
            paid_from="cash",
            idempotency_key=uuid.uuid5(GERAI_KEYS, "settlement"),
            user_id=treasurer.id,
        ),
    )
    session.commit()
    yield f"stocked the demo's shop and recorded {count} sales"


def _stock(session: Session, unit_id: int, on: date, treasurer: int) -> list[GeraiProduct]:
    """The shop's products, a delivery of each owed to the wholesaler."""
    products = [
        gerai.save_product(
            session,
            unit_id,
            None,
            gerai.ProductDetails(
                code=code,
                name=name,
                measure=measure,
                price=price,
                cost=cost,
                low_stock=low,
                is_public=public,
                is_active=True,
            ),
        )
        for code, name, measure, price, cost, low, public in PRODUCTS
    ]
    gerai.receive_goods(
        session,
        gerai.Delivery(
            unit_id=unit_id,
            supplier="Toko Grosir Sumber Rejeki",
            received_on=on,
            payment=SupplierPayment.PAYABLE,
            lines=[gerai.ReceivedLine(p.id, STOCKED, p.cost) for p in products],
            idempotency_key=uuid.uuid5(GERAI_KEYS, "delivery"),
            user_id=treasurer,
        ),
    )
    return products


def _consign(session: Session, unit_id: int, member: Member, on: date) -> GeraiProduct:
    """The member's chips, brought in for the shop to sell for her."""
    consignor = consignment.save_consignor(
        session, unit_id, None, name="", member=member, phone=member.phone or ""
    )
    code, name, measure, price, fee = CHIPS
    chips = gerai.save_product(
        session,
        unit_id,
        None,
        gerai.ProductDetails(
            code=code,
            name=name,
            measure=measure,
            price=price,
            cost=0,
            low_stock=5,
            is_public=True,
            is_active=True,
            consignor_id=consignor.id,
            consignment_fee=fee,
        ),
    )
    consignment.move_goods(
        session,
        consignment.ConsignedGoods(
            unit_id=unit_id,
            consignor_id=consignor.id,
            kind=MovementKind.CONSIGNED,
            moved_on=on,
            lines=[consignment.ConsignedLine(chips.id, STOCKED)],
            idempotency_key=uuid.uuid5(GERAI_KEYS, "consigned"),
        ),
    )
    return chips


@dataclass(frozen=True)
class Shop:
    unit_id: int
    products: list[GeraiProduct]
    chips: GeraiProduct
    members: dict[str, Member]
    officer_id: int
    officer_name: str


def _day_of_sales(shop: Shop, day: date, offset: int) -> Iterator[sales.Checkout]:
    """Two sales a day: one to a member (every fourth on credit), one to the public (every
    third by QRIS) with a pack of chips; the first day's both in cash."""
    numbers = sorted(shop.members)
    member = shop.members[numbers[offset % len(numbers)]]
    own = shop.products[offset % len(shop.products)]
    other = shop.products[(offset + 2) % len(shop.products)]
    yield sales.Checkout(
        unit_id=shop.unit_id,
        lines=[CartLine(own.id, 1)],
        member=member,
        method=SaleMethod.CREDIT if offset % 4 == 1 else SaleMethod.CASH,
        sold_on=day,
        idempotency_key=uuid.uuid5(GERAI_KEYS, f"member-{offset}"),
        officer_id=shop.officer_id,
        officer_name=shop.officer_name,
    )
    yield sales.Checkout(
        unit_id=shop.unit_id,
        lines=[CartLine(other.id, 2), CartLine(shop.chips.id, 1)],
        member=None,
        method=SaleMethod.QRIS if offset % 3 == 2 else SaleMethod.CASH,
        sold_on=day,
        idempotency_key=uuid.uuid5(GERAI_KEYS, f"public-{offset}"),
        officer_id=shop.officer_id,
        officer_name=shop.officer_name,
    )
