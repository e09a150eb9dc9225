"""Sub-account codes: under the parent's prefix, fixed width, suggested from the codes in use."""

from __future__ import annotations

import pytest

from saas.ledger.rules import CHART_TEMPLATE, child_code_form, is_child_code, suggest_child_code

TEMPLATE_CODES = {account.code for account in CHART_TEMPLATE}


def children_of(code: str) -> list[str]:
    return [account.code for account in CHART_TEMPLATE if account.parent == code]


@pytest.mark.parametrize(
    ("parent", "form"),
    [
        ("6", ("6-", 3)),
        ("1-100", ("1-1", 2)),
        ("1-200", ("1-2", 2)),
        ("6-102", ("6-102-", 2)),
        ("2-110", ("2-110-", 2)),  # one trailing zero is a number, not a group
        ("6-102-01", ("6-102-01-", 2)),
    ],
)
def test_a_group_lends_its_significant_digits_and_other_codes_are_extended(parent, form):
    assert child_code_form(parent) == form


@pytest.mark.parametrize(
    ("parent", "code", "ok"),
    [
        ("6", "6-108", True),
        ("6", "6-1080", False),
        ("6", "6-08", False),
        ("6", "6-000", False),
        ("6", "5-108", False),
        ("1-100", "1-108", True),
        ("1-100", "1-100", False),  # the parent's own code
        ("1-100", "1-208", False),
        ("6-102", "6-102-01", True),
        ("6-102", "6-102-1", False),
        ("6", "6-\uff11\uff10\uff18", False),  # full-width digits are not ASCII
        ("6-102-01-01-01-01-01", "6-102-01-01-01-01-01-01", False),  # over 20 characters
    ],
)
def test_a_sub_account_code_sits_under_its_parent(parent, code, ok):
    assert is_child_code(parent, code) is ok


@pytest.mark.parametrize(
    ("parent", "suggested"),
    [
        ("6", "6-108"),  # after 6-107, before the 6-199 catch-all
        ("1", "1-300"),  # its sub-accounts are groups: the next group
        ("1-100", "1-108"),
        ("5", "5-102"),
        ("6-102", "6-102-01"),  # a first sub-account
    ],
)
def test_the_suggestion_is_the_first_free_code_after_the_first_sub_account(parent, suggested):
    assert suggest_child_code(parent, children_of(parent), TEMPLATE_CODES) == suggested


def test_a_taken_code_is_skipped_and_a_full_range_suggests_nothing():
    assert suggest_child_code("6", children_of("6"), TEMPLATE_CODES | {"6-108"}) == "6-109"
    full = {f"6-102-{n:02d}" for n in range(1, 100)}
    assert suggest_child_code("6-102", sorted(full), TEMPLATE_CODES | full) is None
