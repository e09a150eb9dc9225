"""Money paid out of the cooperative's cash box or bank account: never more than it holds."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from saas.db import Databases, get_databases
from saas.ledger import operations as ledger
from saas.ledger.models import Account, JournalEntry
from saas.ledger.queries import account_balances
from saas.ledger.rules import Line
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from saas.tenants import schemas
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant
from tests.factories import books_of, csrf_token, login, text

PAID_ON = "2026-11-20"  # after the fixtures' grant into the cash box


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def move(client, member, action, **fields):
    """Post one of the two forms of the member's savings page, as the browser would."""
    page = text(client.get(f"/kelola/anggota/{member.id}/simpanan"))
    form = page[page.index(f"/simpanan/{action}") :]
    hidden = {
        name: re.search(rf'name="{action}-{name}" type="hidden" value="([^"]+)"', form).group(1)
        for name in ("csrf_token", "key")
    }
    plain = {**hidden, "kind": "sukarela", "method": "cash", "paid_on": PAID_ON, **fields}
    data = {f"{action}-{k}": v for k, v in plain.items()}
    return client.post(f"/kelola/anggota/{member.id}/simpanan/{action}", data=data)


def test_a_withdrawal_is_not_paid_from_a_bank_account_that_holds_nothing(bendahara, db, tenants):
    sri = tenants.a.members[0]
    assert move(bendahara, sri, "setor", amount="50000").status_code == 302  # into the cash box
    with books_of(db, tenants.a) as session:
        entries = session.scalar(select(func.count()).select_from(JournalEntry))
    refused = move(bendahara, sri, "tarik", amount="30000", method="transfer")
    assert refused.status_code == 422
    assert "There is not that much money in the cash or bank account." in text(refused)
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == entries
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 50_000
    assert move(bendahara, sri, "tarik", amount="30000").status_code == 302  # from the cash box
    with books_of(db, tenants.a) as session:
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 20_000


def test_savings_are_not_paid_back_from_a_bank_account_that_holds_nothing(bendahara, db, tenants):
    sri = tenants.a.members[0]
    assert move(bendahara, sri, "setor", amount="50000").status_code == 302  # into the cash box
    edit = f"/kelola/anggota/{sri.id}"
    leave = {"left_on": "2026-11-25", "reason": "Pindah", "key": str(uuid.uuid4())}
    refused = bendahara.post(
        f"{edit}/keluar",
        data={**leave, "method": "transfer", "csrf_token": csrf_token(bendahara, edit)},
    )
    assert refused.status_code == 422
    assert "There is not that much money in the cash or bank account." in text(refused)
    with books_of(db, tenants.a) as session:
        assert savings.balances(session, sri.id)[SavingsKind.SUKARELA] == 50_000
    paid = bendahara.post(
        f"{edit}/keluar",
        data={**leave, "method": "cash", "csrf_token": csrf_token(bendahara, edit)},
    )
    assert paid.status_code == 302


@pytest.fixture
def committed_books(app) -> Iterator[tuple[Databases, Tenant]]:
    """A committed cooperative with Rp100,000 in its cash box, removed afterwards."""
    settings = app.extensions["guyub.settings"]
    with app.app_context():
        databases = get_databases()
        slug = f"kas-{uuid.uuid4().hex[:6]}"
        tenant = provision_tenant(databases, settings, slug=slug, display_name="Kas")
        with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
            grants = session.scalar(select(Account.id).where(Account.code == "3-104"))
            ledger.post_entry(
                session,
                entry_date=date(2026, 11, 1),
                description="Hibah",
                lines=[
                    Line(ledger.account_by_role(session, "cash").id, debit=100_000),
                    Line(grants, credit=100_000),
                ],
                idempotency_key=uuid.uuid4(),
            )
            session.commit()
        yield databases, tenant
        with databases.shard_transaction(tenant.shard) as connection:
            schemas.drop_schema(connection, tenant.schema_name)
        with databases.platform_session() as session:
            session.execute(delete(Tenant).where(Tenant.id == tenant.id))
            session.commit()


def raw_payout(session, schema: str, amount: int) -> None:
    """An expense paid in cash, entry and lines in one statement, around the operations."""
    session.execute(
        sql(
            f'WITH entry AS (INSERT INTO "{schema}".journal_entries'
            " (entry_date, description, source, idempotency_key, posted_at)"
            " VALUES (DATE '2026-11-05', 'x', 'manual', gen_random_uuid(), now())"
            " RETURNING id, entry_date) "
            f'INSERT INTO "{schema}".journal_lines'
            " (entry_id, account_id, entry_date, debit, credit, line_no)"
            " SELECT entry.id, account.id, entry.entry_date, given.debit, given.credit, given.no"
            f" FROM entry, (VALUES ('6-102', :amount, 0, 1), ('1-101', 0, :amount, 2))"
            " AS given (code, debit, credit, no)"
            f' JOIN "{schema}".accounts account ON account.code = given.code'
        ),
        {"amount": amount},
    )


@pytest.mark.committed
def test_two_payouts_written_at_once_around_the_app_never_both_spend_the_cash(committed_books):
    databases, tenant = committed_books

    def session():
        return databases.tenant_session(tenant.shard, tenant.schema_name)

    def second_payout() -> str:
        with session() as second:
            try:
                raw_payout(second, tenant.schema_name, 100_000)
                second.commit()
            except DBAPIError as refused:
                return str(refused.orig)
            return "paid"

    with session() as first, ThreadPoolExecutor(1) as pool:
        raw_payout(first, tenant.schema_name, 100_000)
        first.execute(sql("SET CONSTRAINTS ALL IMMEDIATE"))  # checked as at COMMIT; not yet done
        outcome = pool.submit(second_payout)
        with databases.shard_engines[tenant.shard].connect() as watcher:
            waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
            while not watcher.execute(sql(waiting)).scalar() and not outcome.done():
                time.sleep(0.02)  # until the second payout's check waits for the first's lock
        first.commit()
        assert "never paid out below zero" in outcome.result()
    with session() as check:
        assert account_balances(check)[ledger.account_by_role(check, "cash").id] == 0
