"""The chart of accounts editor: sub-accounts, names, hiding, deleting; no posting is ever lost."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.queries import suggest_code
from saas.ledger.rules import LedgerError, Line
from tests.factories import csrf_from, login, text


@pytest.fixture
def books(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        yield session


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def by_code(session, code: str) -> Account:
    return session.scalar(select(Account).where(Account.code == code))


def account_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Account))


def post_expense(session, account: Account, amount: int = 10_000) -> None:
    ledger.post_entry(
        session,
        entry_date=date(2026, 10, 7),
        description="Beban",
        lines=[
            Line(account.id, debit=amount),
            Line(ledger.account_by_role(session, "cash").id, credit=amount),
        ],
        idempotency_key=uuid.uuid4(),
    )
    session.commit()


# -- the rules, through the operations -----------------------------------------------------------


def test_a_sub_account_takes_its_parents_kind_and_a_code_under_its_prefix(books):
    current = by_code(books, "1-100")
    petty = ledger.add_account(books, parent=current, code="1-108", name="Kas kecil")
    assert (petty.kind, petty.parent_id, petty.is_header) == ("asset", current.id, False)
    for code in ("2-999", "1-1080", "1-208"):
        with pytest.raises(LedgerError) as refused:
            ledger.add_account(books, parent=current, code=code, name="Salah")
        assert refused.value.code == "code_form"
    assert suggest_code(books, current) == "1-109"


def test_an_unused_account_becomes_a_group_and_a_postable_account_again(books):
    power = by_code(books, "6-102")
    meter = ledger.add_account(books, parent=power, code="6-102-01", name="Listrik kantor")
    books.commit()  # operations leave the commit to their caller
    assert power.is_header
    with pytest.raises(LedgerError) as refused:
        post_expense(books, power)
    assert refused.value.code == "bad_account"
    books.rollback()
    post_expense(books, meter)
    ledger.remove_account(
        books, ledger.add_account(books, parent=power, code="6-102-02", name="Air")
    )
    assert power.is_header  # Listrik kantor is still under it
    lone = ledger.add_account(books, parent=by_code(books, "6-103"), code="6-103-01", name="Motor")
    ledger.remove_account(books, lone)
    assert not by_code(books, "6-103").is_header  # nothing left under it: it takes postings again
    group = by_code(books, "1-200")
    for child in ("1-201", "1-202"):
        ledger.remove_account(books, by_code(books, child))
    assert group.is_header  # a group in the template stays one


@pytest.mark.parametrize(
    ("code", "reason"), [("6-199", "parent_has_role"), ("6-101", "parent_has_postings")]
)
def test_an_account_with_postings_or_a_role_holds_no_sub_accounts(books, code, reason):
    parent = by_code(books, code)
    if reason == "parent_has_postings":
        post_expense(books, parent)
    before = account_count(books)
    with pytest.raises(LedgerError) as refused:
        ledger.add_account(books, parent=parent, code=f"{code}-01", name="Baru")
    assert refused.value.code == reason
    books.rollback()
    assert account_count(books) == before
    assert not by_code(books, code).is_header


def test_an_own_name_overrides_the_template_and_clearing_it_goes_back(books):
    bank = by_code(books, "1-102")
    ledger.rename_account(books, bank, "  BRI   Unit Desa ")
    assert bank.name == "BRI Unit Desa"
    ledger.rename_account(books, bank, " ")
    assert bank.name is None
    own = by_code(books, "4-108")  # the fixtures' own account has no template name to return to
    with pytest.raises(LedgerError) as refused:
        ledger.rename_account(books, own, "")
    assert refused.value.code == "name_required"


def test_a_hidden_account_leaves_the_posting_forms_and_keeps_its_balance(books):
    tent = by_code(books, "4-108")
    ledger.hide_account(books, tent, hidden=True)
    assert tent not in ledger.postable_accounts(books)
    for account, reason in (
        (by_code(books, "4"), "header_not_postable"),
        (ledger.account_by_role(books, "cash"), "account_has_role"),
    ):
        with pytest.raises(LedgerError) as refused:
            ledger.hide_account(books, account, hidden=True)
        assert refused.value.code == reason
    ledger.hide_account(books, tent, hidden=False)
    assert tent in ledger.postable_accounts(books)


# -- the pages ----------------------------------------------------------------------------------


def test_the_chart_shows_every_account_with_its_kind_and_balance(bendahara):
    page = text(bendahara.get("/kelola/akun"))
    assert "Sewa tenda OnlyAlpha" in page
    assert "Electricity and water" in page
    assert "Expense" in page
    # Fixtures: 15,000 and 20,000 of other expenses, paid in cash.
    other = re.search(r"6-199</span>.*?<span class=\"num\">([^<]+)</span>", page, re.S)
    assert other.group(1) == "Rp35,000"
    group = re.search(r">6</span>.*?<span class=\"num\">([^<]+)</span>", page, re.S)
    assert group.group(1) == "Rp35,000"  # a group sums its accounts


def test_only_the_treasurer_edits_the_chart(alpha, tenants):
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/kelola/akun").status_code == 200
    url = f"/kelola/akun/{tenants.a.accounts[0].id}/nama"
    token = csrf_from(alpha.get("/kelola/tim"))
    assert alpha.post(url, data={"csrf_token": token, "rename-name": "X"}).status_code == 403


def account_url(books, code: str) -> str:
    return f"/kelola/akun/{by_code(books, code).id}"


def test_a_sub_account_is_added_from_its_parents_page(bendahara, books):
    url = account_url(books, "6")
    page = bendahara.get(url)
    assert 'value="6-108"' in text(page)  # the suggested code
    token = csrf_from(page)
    response = bendahara.post(
        url + "/sub-akun",
        data={"csrf_token": token, "sub-code": "6-108", "sub-name": "Bensin motor"},
    )
    assert response.status_code == 302
    assert "Account 6-108 Bensin motor added." in text(bendahara.get(response.headers["Location"]))
    assert by_code(books, "6-108").kind == "expense"


@pytest.mark.parametrize(
    ("code", "fields", "message"),
    [
        ("6", {"sub-code": "5-108", "sub-name": "X"}, "starts with 6-, like 6-108."),
        ("6", {"sub-code": "6-101", "sub-name": "X"}, "Another account already has this code."),
        ("6", {"sub-code": "6-108", "sub-name": " "}, "This field is required."),
        ("6-199", {"sub-code": "6-199-01", "sub-name": "X"}, "cannot hold sub-accounts"),
    ],
)
def test_a_bad_sub_account_is_refused_on_the_form(bendahara, books, code, fields, message):
    before = account_count(books)
    url = account_url(books, code)
    token = csrf_from(bendahara.get(url))
    response = bendahara.post(url + "/sub-akun", data={"csrf_token": token, **fields})
    assert response.status_code == 422
    assert message in text(response)
    assert account_count(books) == before


def test_a_form_without_its_csrf_token_changes_nothing(bendahara, books):
    response = bendahara.post(account_url(books, "1-102") + "/nama", data={"rename-name": "X"})
    assert response.status_code == 400
    assert by_code(books, "1-102").name is None


def test_renaming_and_clearing_the_name_on_the_page(bendahara, books):
    url = account_url(books, "1-102")
    token = csrf_from(bendahara.get(url))
    renamed = bendahara.post(url + "/nama", data={"csrf_token": token, "rename-name": "BRI"})
    assert "Account 1-102 is now called BRI." in text(bendahara.get(renamed.headers["Location"]))
    cleared = bendahara.post(url + "/nama", data={"csrf_token": token, "rename-name": ""})
    assert "Account 1-102 is now called Bank." in text(bendahara.get(cleared.headers["Location"]))
    own = account_url(books, "4-108")
    refused = bendahara.post(own + "/nama", data={"csrf_token": token, "rename-name": ""})
    assert refused.status_code == 422
    assert "Enter a name." in text(refused)


def test_an_account_with_postings_is_not_deleted_but_can_be_hidden(bendahara, books):
    url = account_url(books, "6-199")
    page = text(bendahara.get(url))
    assert "post to this account, so it always stays." in page
    url = account_url(books, "6-101")
    post_expense(books, by_code(books, "6-101"))
    page = bendahara.get(url)
    assert "Hide it from the posting forms instead." in text(page)
    token = csrf_from(page)
    refused = bendahara.post(url + "/hapus", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "cannot be deleted" in text(refused)
    assert by_code(books, "6-101") is not None
    hidden = bendahara.post(url + "/sembunyikan", data={"csrf_token": token, "hidden": "1"})
    assert hidden.status_code == 302
    journal = text(bendahara.get("/kelola/jurnal"))
    assert "6-101 Salaries and honoraria" not in journal  # no longer an option; its entry stays
    assert "hidden" in text(bendahara.get("/kelola/akun"))


def test_an_unused_account_is_deleted(bendahara, books):
    url = account_url(books, "4-108")
    token = csrf_from(bendahara.get(url))
    response = bendahara.post(url + "/hapus", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Account 4-108 deleted." in text(bendahara.get(response.headers["Location"]))
    assert by_code(books, "4-108") is None
