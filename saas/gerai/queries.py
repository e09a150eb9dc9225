"""Reading a unit's products, stock and sales for the pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from saas.gerai.models import (
    ConsignmentSettlement,
    Consignor,
    DayClosing,
    GeraiProduct,
    Sale,
    SaleLine,
    SettledLine,
    sale_not_reversed,
)
from saas.microsite.models import BusinessUnit, UnitKind

# The units that sell goods over a counter: the shop first, then the pharmacy and the agents.
SELLING_KINDS = frozenset(
    {
        UnitKind.SEMBAKO,
        UnitKind.APOTEK,
        UnitKind.KLINIK,
        UnitKind.LPG,
        UnitKind.PUPUK,
        UnitKind.LAINNYA,
    }
)
TOKEN_RE = re.compile(r"[0-9a-f]{32}")


def list_selling_units(session: Session) -> list[BusinessUnit]:
    query = select(BusinessUnit).where(BusinessUnit.kind.in_(SELLING_KINDS))
    return list(session.scalars(query.order_by(BusinessUnit.id)))


def get_selling_unit_for_tenant(session: Session, unit_id: int) -> BusinessUnit | None:
    unit = session.get(BusinessUnit, unit_id)
    return unit if unit is not None and unit.kind in SELLING_KINDS else None


def get_product_for_unit(session: Session, unit_id: int, product_id: int) -> GeraiProduct | None:
    product = session.get(GeraiProduct, product_id)
    return product if product is not None and product.unit_id == unit_id else None


@dataclass(frozen=True)
class PublicProduct:
    """A product a unit shows in the public catalogue, as the catalogue lists it."""

    name: str
    price: int
    measure: str
    unit_name: str
    seller: str | None  # the consignor of consigned goods
    in_stock: bool


def public_products(session: Session) -> list[PublicProduct]:
    """The selling units' products on sale and marked public, by name: read from the gerai
    itself, so the catalogue never holds a second record of a product sold at the counter."""
    rows = session.execute(
        select(GeraiProduct, BusinessUnit.name, Consignor.name)
        .join(BusinessUnit, BusinessUnit.id == GeraiProduct.unit_id)
        .outerjoin(Consignor, Consignor.id == GeraiProduct.consignor_id)
        .where(
            GeraiProduct.is_public,
            GeraiProduct.is_active,
            BusinessUnit.kind.in_(SELLING_KINDS),
        )
        .order_by(GeraiProduct.name, GeraiProduct.id)
    )
    return [
        PublicProduct(
            name=product.name,
            price=product.price,
            measure=product.measure,
            unit_name=unit_name,
            seller=seller,
            in_stock=product.on_hand > 0,
        )
        for product, unit_name, seller in rows
    ]


def list_products(session: Session, unit_id: int) -> list[GeraiProduct]:
    query = select(GeraiProduct).where(GeraiProduct.unit_id == unit_id)
    return list(session.scalars(query.order_by(GeraiProduct.name, GeraiProduct.id)))


def low_stock(products: list[GeraiProduct]) -> list[GeraiProduct]:
    """Products on sale whose stock fell to their threshold or below."""
    return [p for p in products if p.is_active and p.on_hand <= p.low_stock]


def find_by_code(session: Session, unit_id: int, code: str) -> GeraiProduct | None:
    return session.scalar(
        select(GeraiProduct).where(GeraiProduct.unit_id == unit_id, GeraiProduct.code == code)
    )


def search_products(
    session: Session, unit_id: int, words: str, limit: int = 10
) -> list[GeraiProduct]:
    """Products on sale whose name holds every word, or whose code starts with it."""
    query = select(GeraiProduct).where(GeraiProduct.unit_id == unit_id, GeraiProduct.is_active)
    for word in words.split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                GeraiProduct.name.ilike(f"%{escaped}%", escape="\\"),
                GeraiProduct.code.startswith(word, autoescape=True),
            )
        )
    return list(session.scalars(query.order_by(GeraiProduct.name).limit(limit)))


def get_sale_by_number(session: Session, number: str) -> Sale | None:
    """A sale by its printed number: for officers only, since numbers can be guessed."""
    query = select(Sale).options(selectinload(Sale.lines)).where(Sale.number == number)
    return session.scalar(query)


def find_sale_by_token(session: Session, token: str) -> Sale | None:
    """The sale a receipt's QR code points at; None for anything but a well-formed token."""
    if not TOKEN_RE.fullmatch(token):
        return None
    return session.scalar(select(Sale).where(Sale.token == token))


def sales_of_day(session: Session, unit_id: int, day: date) -> list[Sale]:
    query = select(Sale).where(Sale.unit_id == unit_id, Sale.sold_on == day)
    return list(session.scalars(query.order_by(Sale.id)))


def stock_value(session: Session, unit_id: int) -> int:
    """The unit's stock at moving-average cost (rupiah)."""
    total = session.scalar(
        select(func.coalesce(func.sum(GeraiProduct.stock_value), 0)).where(
            GeraiProduct.unit_id == unit_id
        )
    )
    return int(total or 0)


def get_closing(session: Session, unit_id: int, day: date) -> DayClosing | None:
    return session.scalar(
        select(DayClosing).where(DayClosing.unit_id == unit_id, DayClosing.closed_on == day)
    )


# -- consignment ---------------------------------------------------------------------------------


def list_consignors(session: Session, unit_id: int) -> list[Consignor]:
    query = select(Consignor).where(Consignor.unit_id == unit_id)
    return list(session.scalars(query.order_by(Consignor.name, Consignor.id)))


def get_consignor_for_unit(session: Session, unit_id: int, consignor_id: int) -> Consignor | None:
    consignor = session.get(Consignor, consignor_id)
    return consignor if consignor is not None and consignor.unit_id == unit_id else None


def consignor_products(session: Session, consignor_id: int) -> list[GeraiProduct]:
    query = select(GeraiProduct).where(GeraiProduct.consignor_id == consignor_id)
    return list(session.scalars(query.order_by(GeraiProduct.name, GeraiProduct.id)))


@dataclass(frozen=True)
class SoldItem:
    """A sale line of the consignor's goods, what of it is theirs, and whether it is paid."""

    sold_on: date
    number: str
    description: str
    quantity: int
    amount: int
    share: int
    settlement_id: int | None

    @property
    def fee(self) -> int:
        return self.amount - self.share


@dataclass(frozen=True)
class ConsignorStatement:
    consignor: Consignor
    products: list[GeraiProduct]
    sold: list[SoldItem]
    settlements: list[ConsignmentSettlement]

    @property
    def earned(self) -> int:
        return sum(item.share for item in self.sold)

    @property
    def fees(self) -> int:
        return sum(item.fee for item in self.sold)

    @property
    def paid(self) -> int:
        return sum(settlement.amount for settlement in self.settlements)

    @property
    def owed(self) -> int:
        return self.earned - self.paid


def consignor_statement(session: Session, consignor: Consignor) -> ConsignorStatement:
    """What the consignor brought that is left, what sold, their share, and what was paid."""
    rows = session.execute(
        select(
            Sale.sold_on,
            Sale.number,
            SaleLine.description,
            SaleLine.quantity,
            SaleLine.quantity * SaleLine.price,
            SaleLine.consignor_share,
            SettledLine.settlement_id,
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .outerjoin(SettledLine, SettledLine.sale_line_id == SaleLine.id)
        .where(SaleLine.consignor_id == consignor.id, sale_not_reversed())
        .order_by(Sale.sold_on, SaleLine.id)
    )
    settlements = session.scalars(
        select(ConsignmentSettlement)
        .where(ConsignmentSettlement.consignor_id == consignor.id)
        .order_by(ConsignmentSettlement.settled_on, ConsignmentSettlement.id)
    )
    return ConsignorStatement(
        consignor=consignor,
        products=consignor_products(session, consignor.id),
        sold=[SoldItem(*row) for row in rows],
        settlements=list(settlements),
    )
