"""Money paid out of the cooperative's cash box or bank account: never more than it holds."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from saas.ledger.models import JournalEntry
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from tests.factories import books_of, login, text

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
