"""Cashiers at the same moment, on committed books: each on its own connection, as in production."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.ledger.models import JournalEntry
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, Receipt, SavingsKind
from tests.integration.committed import OFFICERS as CASHIERS
from tests.integration.committed import Books, at_once, committed_books


@pytest.fixture
def books(app) -> Iterator[Books]:
    with committed_books(app) as committed:
        yield committed


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
