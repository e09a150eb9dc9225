"""Operations never commit: the request or the job commits once, so an operation composes
inside another (a loan repayment that settles a share and posts an entry is one transaction).
The books' packages keep the rule; the rest follow (docs/status.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SAAS = Path(__file__).resolve().parents[2] / "saas"
COMMITTING = re.compile(r"\.commit\(\)")
BOOKS = ("ledger", "savings", "members", "shu", "publishing")


@pytest.mark.parametrize("package", BOOKS)
def test_the_books_operations_leave_the_commit_to_their_caller(package):
    found = [
        f"{path.relative_to(SAAS)}:{number}"
        for path in sorted((SAAS / package).glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if COMMITTING.search(line) and "the job's one transaction" not in line
    ]
    assert found == []


def test_the_check_reads_a_commit_where_there_is_one():
    assert COMMITTING.search("    session.commit()  # at once")
