"""Cashiers at the same moment, on committed books: each on its own connection, as in production."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import NamedTuple

import pytest
from sqlalchemy import delete, func, select

from saas.accounts.operations import create_tenant_user
from saas.accounts.roles import Role
from saas.db import Databases, get_databases
from saas.ledger.models import JournalEntry
from saas.ledger.rules import LedgerError
from saas.members.models import Member
from saas.members.operations import MemberDetails, register_member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, Receipt, SavingsKind
from saas.tenants import schemas
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant

CASHIERS = 4


class Books(NamedTuple):
    databases: Databases
    tenant: Tenant
    officer_id: int
    member_id: int


@pytest.fixture
def books(app) -> Iterator[Books]:
    """A committed cooperative with its treasurer and one member, removed afterwards."""
    settings = app.extensions["guyub.settings"]
    with app.app_context():
        databases = get_databases()
        slug = f"kasir-{uuid.uuid4().hex[:6]}"
        tenant = provision_tenant(databases, settings, slug=slug, display_name="Kasir")
        with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
            officer = create_tenant_user(
                session,
                name="Bendahara",
                email=f"{slug}@kasir.id",
                role=Role.BENDAHARA,
                password=None,
            )
            member = register_member(
                session,
                MemberDetails(
                    nik="3273010101900001",
                    name="Sri",
                    gender=None,
                    birth_date=None,
                    address=None,
                    village=None,
                    phone=None,
                    join_date=date(2026, 1, 5),
                ),
            )
            session.commit()
        yield Books(databases, tenant, officer.id, member.id)
        with databases.shard_transaction(tenant.shard) as connection:
            schemas.drop_schema(connection, tenant.schema_name)
        with databases.platform_session() as session:
            session.execute(delete(Tenant).where(Tenant.id == tenant.id))
            session.commit()


def at_once(books: Books, work: Callable[..., object]) -> list[object]:
    """``work(session)`` by every cashier at the same moment; a refusal gives its code."""
    start = threading.Barrier(CASHIERS)

    def cashier(_number: int) -> object:
        with books.databases.tenant_session(books.tenant.shard, books.tenant.schema_name) as s:
            start.wait()
            try:
                result = work(s)
            except LedgerError as refused:
                return refused.code
            s.commit()  # once, as the request does
            return result

    with ThreadPoolExecutor(CASHIERS) as pool:
        return list(pool.map(cashier, range(CASHIERS)))


def movement(books: Books, session, **fields) -> savings.Movement:
    plain = {
        "member": session.get_one(Member, books.member_id),
        "kind": SavingsKind.SUKARELA,
        "amount": 50_000,
        "method": PaymentMethod.CASH,
        "paid_on": date(2026, 10, 5),
        "idempotency_key": uuid.uuid4(),
        "officer_id": books.officer_id,
        "officer_name": "Bendahara",
        **fields,
    }
    return savings.Movement(**plain)


def count(books: Books, model) -> int:
    with books.databases.tenant_session(books.tenant.shard, books.tenant.schema_name) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_one_form_sent_by_every_cashier_at_once_posts_once(books):
    key = uuid.uuid4()
    results = at_once(books, lambda s: savings.deposit(s, movement(books, s, idempotency_key=key)))
    receipts = {receipt.number for receipt, _created in results}
    assert len(receipts) == 1
    assert sorted(created for _receipt, created in results) == [False] * (CASHIERS - 1) + [True]
    assert count(books, JournalEntry) == count(books, Receipt) == 1


def test_the_whole_balance_taken_by_every_cashier_at_once_is_paid_once(books):
    at_once(books, lambda s: savings.deposit(s, movement(books, s)))  # 4 x 50,000 in
    results = at_once(
        books, lambda s: savings.withdraw(s, movement(books, s, amount=4 * 50_000))[1]
    )
    assert sorted(results, key=str) == [True] + ["overdraft"] * (CASHIERS - 1)
    with books.databases.tenant_session(books.tenant.shard, books.tenant.schema_name) as s:
        assert savings.balances(s, books.member_id)[SavingsKind.SUKARELA] == 0
        numbers = sorted(int(n.rsplit("-", 1)[1]) for n in s.scalars(select(Receipt.number)))
    assert numbers == list(range(1, CASHIERS + 2))  # no gaps, whoever was refused
