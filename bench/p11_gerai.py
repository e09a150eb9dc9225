"""P11: the gerai of the P7 cooperative: 500 products and three years of sales.

The script builds the P7 cooperative's books (``p7_ledger.write_books``: 2,000 members, three
years), then, with a fixed random seed, a gerai sembako with 500 products (stock valued and
posted as one opening entry) and three years of its sales written in bulk as the counter writes
them (about 50,000 sales and 150,000 sale lines: each sale's journal entry naming the member
buyer, its numbered receipt, its lines and stock movements; the database's balance trigger
checks every entry at each month's commit; two processes write half the months each). It
then times, with the business clock held at the bench's day: recording a sale of 5 items
through ``saas.gerai.sales.sell`` and its commit, as the counter's request does; sales per
second from one process (1 to 5 items each, as in the history); the day's sales report page
and the unit's stock page (500 products with their value) over HTTP, GETs through the Flask
test client signed in as the treasurer; and the RAT pack PDF once the RAT is built.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from common import (
    drop_databases,
    emit,
    log,
    ms,
    p50,
    p95,
    prepare_platform,
    put_on_paid_plan,
    settle,
    signed_in_pages_ms,
    vacuum_everything,
)
from p7_ledger import write_books
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from saas import clock
from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.config import Settings
from saas.db import Databases
from saas.gerai import sales
from saas.gerai.models import GeraiProduct, Sale, SaleLine, SaleMethod, StockMovement
from saas.gerai.rules import CartLine, sale_number
from saas.ledger import operations as ledger
from saas.ledger.models import Account, EntrySource, JournalEntry, JournalLine
from saas.ledger.rules import Line
from saas.members.models import Counter, Member
from saas.microsite.models import BusinessUnit, UnitKind, UnitStatus
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.seed_rat import hold_rat
from saas.tenants.provisioning import provision_tenant

SEED = 20261205
TODAY = date(2024, 12, 31)  # the last day of the P7 cooperative's three years
NOW = datetime(2024, 12, 31, 10, 0, tzinfo=clock.WIB)  # the business clock while timing
REPORT_DAY = date(2024, 12, 28)  # the history's last day of sales
SLUG = "gerai"
TREASURER_PASSWORD = f"Gerai-{uuid.uuid4().hex}"  # a new one each run
OPENING_STOCK = 5_000  # of each product: three years of sales take about 600
BUDGETS = {"sale_5_items": 30, "daily_sales_report": 50, "stock_value": 100, "rat_pack_pdf": 5}
BUDGET_SALES = 200
ENTRIES_PER_STATEMENT = 1000  # a few thousand bound values, well under PostgreSQL's 65,535


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 members, one year, 50 products")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each page")
    parser.add_argument("--sales", type=int, default=None, help="sales timed (1000)")
    args = parser.parse_args(argv)
    args.members, args.years, args.products = (200, 1, 50) if args.quick else (2000, 3, 500)
    args.per_month = 140 if args.quick else 1_390  # sales: about 50,000 over three years
    args.sales = args.sales or (100 if args.quick else 1000)
    return args


# -- the gerai's history, written in bulk --------------------------------------------------------


def open_gerai(session: Session, products: int) -> tuple[int, list[GeraiProduct]]:
    """The gerai sembako and its products, their opening stock posted against a grant."""
    rng = random.Random(SEED)
    unit = BusinessUnit(kind=UnitKind.SEMBAKO, name="Gerai Sembako", status=UnitStatus.RUNNING)
    session.add(unit)
    session.flush()
    rows = []
    for number in range(1, products + 1):
        price = rng.randint(4, 200) * 500
        cost = price * 4 // 5
        rows.append(
            {
                "unit_id": unit.id,
                "code": f"899{number:010d}",
                "name": f"Barang {number}",
                "measure": "pcs",
                "price": price,
                "cost": cost,
                "low_stock": 10,
                "on_hand": OPENING_STOCK,
                "stock_value": OPENING_STOCK * cost,
            }
        )
    made = list(session.scalars(insert(GeraiProduct).returning(GeraiProduct), rows))
    grant = session.scalar(select(Account.id).where(Account.code == "3-104"))
    assert grant is not None, "the chart has its grants account"
    value = sum(product.stock_value for product in made)
    ledger.post_entry(
        session,
        entry_date=date(TODAY.year - 3, 12, 31),
        description="Persediaan awal gerai",
        lines=[
            Line(ledger.account_by_role(session, "inventory").id, debit=value),
            Line(grant, credit=value),
        ],
        idempotency_key=uuid.uuid4(),
    )
    return unit.id, made


@dataclass(frozen=True)
class Item:
    """What a sale needs of a product (picklable, for the writing processes)."""

    id: int
    name: str
    price: int
    cost: int


@dataclass
class Month:
    """One month's carts, sorted by day, and the receipt number the month's first sale takes."""

    carts: list[dict[str, Any]]
    first_number: int


class History:
    """Three years of counter sales, planned month by month with the seed, then written as
    ``sales.sell`` writes them by two processes, a month per transaction (each process its own
    half of the months; the receipts are numbered in the order of the days)."""

    def __init__(self, session: Session, unit_id: int, products: list[GeraiProduct]) -> None:
        self.unit_id = unit_id
        self.products = [Item(p.id, p.name, p.price, p.cost) for p in products]
        self.members = list(session.scalars(select(Member.id).order_by(Member.id)))
        self.roles: dict[str, int] = dict(session.execute(select(Account.role, Account.id)).all())
        self.rng = random.Random(SEED + 1)
        self.numbered = 0
        self.lines = 0

    def write(
        self, settings: Settings, shard: str, schema: str, years: int, per_month: int
    ) -> None:
        months = []
        for year in range(TODAY.year - years + 1, TODAY.year + 1):
            for month in range(1, 13):
                carts = [
                    self._cart(date(year, month, self.rng.randint(1, 28))) for _ in range(per_month)
                ]
                months.append(Month(sorted(carts, key=lambda c: c["sold_on"]), self.numbered + 1))
                self.numbered += len(carts)
                self.lines += sum(len(cart["lines"]) for cart in carts)
        halves = [months[: len(months) // 2], months[len(months) // 2 :]]
        context = multiprocessing.get_context("spawn")  # no connection is inherited
        with ProcessPoolExecutor(max_workers=len(halves), mp_context=context) as pool:
            done = [
                pool.submit(
                    _write_months,
                    settings,
                    shard,
                    schema,
                    unit_id=self.unit_id,
                    roles=self.roles,
                    months=half,
                )
                for half in halves
            ]
            for future in done:
                future.result()
        sold: dict[int, tuple[int, int]] = {}  # product id -> (quantity, cost)
        for month in months:
            for cart in month.carts:
                for item, quantity in cart["lines"]:
                    had = sold.get(item.id, (0, 0))
                    sold[item.id] = (had[0] + quantity, had[1] + quantity * item.cost)
        databases = Databases(settings)
        with databases.tenant_session(shard, schema) as session:
            for product_id, (quantity, cost) in sold.items():
                session.execute(
                    update(GeraiProduct)
                    .where(GeraiProduct.id == product_id)
                    .values(
                        on_hand=GeraiProduct.on_hand - quantity,
                        stock_value=GeraiProduct.stock_value - cost,
                    )
                )
            session.execute(insert(Counter).values(name=sales.SALE_COUNTER, value=self.numbered))
            session.commit()
        databases.dispose()

    def _cart(self, day: date) -> dict[str, Any]:
        rng = self.rng
        member = rng.choice(self.members) if rng.random() < 0.4 else None
        method = rng.choice((SaleMethod.CASH,) * 7 + (SaleMethod.QRIS,) * 2 + (SaleMethod.CREDIT,))
        if method is SaleMethod.CREDIT and member is None:
            method = SaleMethod.CASH
        picked = rng.sample(self.products, rng.randint(1, 5))
        lines = [(product, rng.randint(1, 3)) for product in picked]
        return {"sold_on": day, "member": member, "method": method, "lines": lines}


def _write_months(
    settings: Settings,
    shard: str,
    schema: str,
    *,
    unit_id: int,
    roles: dict[str, int],
    months: list[Month],
) -> None:
    databases = Databases(settings)
    with databases.tenant_session(shard, schema) as session:
        for month in months:
            _write_month(session, unit_id, roles, month)
            if month.carts[0]["sold_on"].month in {6, 12}:
                log(f"wrote {month.carts[0]['sold_on']:%Y-%m}: sales up to the month's")
    databases.dispose()


def _write_month(session: Session, unit_id: int, roles: dict[str, int], month: Month) -> None:
    carts = month.carts
    entries = [_entry(cart) for cart in carts]
    ids = (
        session.execute(
            insert(JournalEntry).returning(JournalEntry.id, sort_by_parameter_order=True),
            entries,
        )
        .scalars()
        .all()
    )
    # An entry's lines are written in one statement (the database refuses more later).
    pairs = list(zip(ids, carts, strict=True))
    for start in range(0, len(pairs), ENTRIES_PER_STATEMENT):
        chunk = pairs[start : start + ENTRIES_PER_STATEMENT]
        rows = [row for entry_id, cart in chunk for row in _journal_lines(roles, entry_id, cart)]
        session.execute(insert(JournalLine).values(rows))
    rows = [
        {
            "unit_id": unit_id,
            "number": sale_number(cart["sold_on"].year, month.first_number + index),
            "entry_id": entry_id,
            "member_id": cart["member"],
            "method": cart["method"],
            "total": sum(p.price * q for p, q in cart["lines"]),
            "sold_on": cart["sold_on"],
            "officer_name": "Kasir",
            "created_at": datetime.now(UTC),
        }
        for index, (entry_id, cart) in enumerate(pairs)
    ]
    sale_ids = (
        session.execute(insert(Sale).returning(Sale.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    lines, movements = [], []
    for sale_id, cart in zip(sale_ids, carts, strict=True):
        for product, quantity in cart["lines"]:
            cost = quantity * product.cost
            lines.append(
                {
                    "sale_id": sale_id,
                    "product_id": product.id,
                    "description": product.name,
                    "quantity": quantity,
                    "price": product.price,
                    "cost": cost,
                }
            )
            movements.append(
                {
                    "product_id": product.id,
                    "kind": "sold",
                    "quantity": -quantity,
                    "value": -cost,
                    "moved_on": cart["sold_on"],
                    "sale_id": sale_id,
                }
            )
    session.execute(insert(SaleLine), lines)
    session.execute(insert(StockMovement), movements)
    session.commit()  # the balance trigger checks every entry here


def _entry(cart: dict[str, Any]) -> dict[str, Any]:
    return {
        "entry_date": cart["sold_on"],
        "description": "Penjualan gerai",
        "source": EntrySource.SALE,
        "idempotency_key": uuid.uuid4(),
        "member_id": cart["member"],
        "posted_at": datetime.now(UTC),
    }


def _journal_lines(
    roles: dict[str, int], entry_id: int, cart: dict[str, Any]
) -> list[dict[str, Any]]:
    total = sum(p.price * q for p, q in cart["lines"])
    cost = sum(p.cost * q for p, q in cart["lines"])
    member = cart["member"]
    owes = member if cart["method"] is SaleMethod.CREDIT else None
    revenue = "sales_members" if member else "sales_non_members"
    plan = [
        (roles[cart["method"].account_role], total, 0, owes),
        (roles[revenue], 0, total, member),
        (roles["cogs"], cost, 0, None),
        (roles["inventory"], 0, cost, None),
    ]
    return [
        {
            "entry_id": entry_id,
            "account_id": account,
            "member_id": member_id,
            "entry_date": cart["sold_on"],
            "debit": debit,
            "credit": credit,
            "line_no": number,
        }
        for number, (account, debit, credit, member_id) in enumerate(plan, start=1)
    ]


# -- the figures ---------------------------------------------------------------------------------


def record_sales(
    session: Session,
    unit_id: int,
    officer: int,
    count: int,
    items: Callable[[random.Random], int],
) -> tuple[list[float], list[float]]:
    """``count`` sales through the operation, a commit each as the counter's request does,
    each followed by its peer, a savings deposit through its operation (P7's posting path):
    the seconds of each sale and of each deposit, measured under the same load."""
    rng = random.Random(SEED + 2)
    products = list(session.scalars(select(GeraiProduct.id).where(GeraiProduct.unit_id == unit_id)))
    members = list(session.scalars(select(Member).order_by(Member.id).limit(200)))
    session.commit()
    sold, deposited = [], []
    for _ in range(count):
        picked = rng.sample(products, items(rng))
        checkout = sales.Checkout(
            unit_id=unit_id,
            lines=[CartLine(product, rng.randint(1, 3)) for product in picked],
            member=rng.choice(members) if rng.random() < 0.4 else None,
            method=SaleMethod.CASH,
            sold_on=TODAY,
            idempotency_key=uuid.uuid4(),
            officer_id=None,
            officer_name="Kasir",
        )
        started = time.perf_counter()
        sales.sell(session, checkout)
        session.commit()
        sold.append(time.perf_counter() - started)
        deposit = savings.Movement(
            member=rng.choice(members),
            kind=SavingsKind.SUKARELA,
            amount=10_000,
            method=PaymentMethod.CASH,
            paid_on=TODAY,
            idempotency_key=uuid.uuid4(),
            officer_id=officer,
            officer_name="Kasir",
        )
        started = time.perf_counter()
        savings.deposit(session, deposit)
        session.commit()
        deposited.append(time.perf_counter() - started)
    return sold, deposited


def pages_ms(settings: Settings, runs: int, paths: Sequence[str]) -> dict[str, float]:
    """The median time of ``runs`` GETs of each page by the signed-in treasurer."""
    return signed_in_pages_ms(
        settings,
        slug=SLUG,
        identifier="bendahara@gerai.id",
        password=TREASURER_PASSWORD,
        now=NOW,
        runs=runs,
        paths=paths,
    )


def hold_last_years_rat(session: Session, officer: int) -> int:
    """The RAT of the last full book year, closed with every member present: its id."""
    meeting = hold_rat(
        session,
        book_year=TODAY.year - 1,
        held_on=date(TODAY.year, 2, 10),
        letter_code="KDMP-GERAI",
        user_id=officer,
    )
    session.commit()
    return meeting.id


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings, databases = prepare_platform("bench_p11")
    tenant = provision_tenant(databases, settings, slug=SLUG, display_name="Koperasi Gerai")
    put_on_paid_plan(databases, tenant)  # the shop is a paid extra
    shard, schema = tenant.shard, str(tenant.schema_name)
    with databases.tenant_session(shard, schema) as session:
        officer = accounts.create_tenant_user(
            session,
            name="Bendahara",
            email="bendahara@gerai.id",
            role=Role.BENDAHARA,
            password=TREASURER_PASSWORD,
        ).id
        session.commit()
    log(f"writing {args.years} years of books for {args.members} members")
    write_books(databases, shard, schema, args.members, args.years)
    with databases.tenant_session(shard, schema) as session:
        unit_id, products = open_gerai(session, args.products)
        session.commit()
        started = time.perf_counter()
        history = History(session, unit_id, products)
        history.write(settings, shard, schema, args.years, args.per_month)
        log(f"{history.numbered} sales in {time.perf_counter() - started:.1f}s")
        session.commit()
        vacuum_everything(databases, shard)
        settle()
        fields = {
            "id": "P11",
            "products": args.products,
            "sales": history.numbered,
            "sale_lines": history.lines,
        }
        with clock.frozen(NOW):
            five, five_peer = record_sales(
                session, unit_id, officer, max(50, args.sales // 5), lambda _: 5
            )
            mixed, peer = record_sales(
                session, unit_id, officer, args.sales, lambda r: r.randint(1, 5)
            )
    five_ms = ms(p50(five))
    emit(
        {
            **fields,
            "name": "sale_5_items",
            "value": five_ms,
            "unit": "ms",
            "p95": ms(p95(five)),
            "peer": "deposit_p50",
            "peer_value": ms(p50(five_peer)),
            "path": "saas.gerai.sales.sell and the commit: products locked, the entry with its "
            "lines, the numbered receipt, its lines and stock movements",
            "budget": BUDGETS["sale_5_items"],
            "pass": five_ms <= BUDGETS["sale_5_items"],
        }
    )
    rate = round(len(mixed) / sum(mixed), 1)
    emit(
        {
            **fields,
            "name": "sales_per_second",
            "value": rate,
            "unit": "sales/s",
            "workers": 1,
            "items": "1 to 5",
            "peer": "deposits_per_second",
            "peer_value": round(len(peer) / sum(peer), 1),
            "peer_budget": 300,
            "path": "saas.gerai.sales.sell and a commit per sale, back to back",
            "budget": BUDGET_SALES,
            "pass": rate >= BUDGET_SALES,
        }
    )
    # A day of the history (the timed sales above all fell on the bench's day, 25 times a
    # village shop's day): the report a cashier reads at closing.
    on = REPORT_DAY.isoformat()
    day = f"/kelola/gerai/{unit_id}/laporan?dari={on}&per={on}"
    stock = f"/kelola/gerai/{unit_id}/produk"
    pages = pages_ms(settings, args.runs, (day, stock))
    with databases.tenant_session(shard, schema) as session, clock.frozen(NOW):
        log("holding last year's RAT, every member present")
        pack = f"/kelola/rat/{hold_last_years_rat(session, officer)}/paket.pdf"
    pack_ms = pages_ms(settings, 3, (pack,))[pack]
    for name, path, what in (
        ("daily_sales_report", day, "a day's sales, members' share, best sellers, PHU"),
        ("stock_value", stock, f"{args.products} products with their stock and its value"),
    ):
        emit(
            {
                **fields,
                "name": name,
                "value": pages[path],
                "unit": "ms",
                "path": f"GET {path} through the Flask test client, signed in as the treasurer: "
                + what,
                "budget": BUDGETS[name],
                "pass": pages[path] <= BUDGETS[name],
            }
        )
    pack_seconds = round(pack_ms / 1000, 2)
    emit(
        {
            **fields,
            "name": "rat_pack_pdf",
            "value": pack_seconds,
            "unit": "s",
            "path": f"GET {pack} through the Flask test client, signed in as the treasurer: the "
            f"statements, SHU, membership, units and the minutes with {args.members} present",
            "budget": BUDGETS["rat_pack_pdf"],
            "pass": pack_seconds <= BUDGETS["rat_pack_pdf"],
        }
    )
    databases.dispose()
    drop_databases("bench_p11")  # its autovacuum would land in the next script's timing
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
