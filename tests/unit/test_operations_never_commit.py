"""Operations never commit: the request or the job commits once, so an operation composes
inside another (a loan repayment that settles a share and posts an entry is one transaction).

Every package with an operations module keeps the rule in all its modules. A commit that is a
step's durability boundary (provisioning across the platform and a shard, a nudge whose email
is out) or a job's one transaction says so on its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SAAS = Path(__file__).resolve().parents[2] / "saas"
COMMITTING = re.compile(r"\.commit\(\)")
DECLARED = ("the job's one transaction", "a step's durability boundary")
PACKAGES = sorted(path.parent.name for path in SAAS.glob("*/operations.py"))


def commits_in(package: str) -> list[str]:
    """Every line of the package that commits without declaring why it must."""
    return [
        f"{path.relative_to(SAAS)}:{number}"
        for path in sorted((SAAS / package).glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if COMMITTING.search(line) and not any(marker in line for marker in DECLARED)
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_operations_leave_the_commit_to_their_caller(package):
    assert commits_in(package) == []


def test_every_package_with_operations_is_held_to_the_rule():
    assert {"accounts", "ledger", "members", "microsite", "tenants", "verification"} <= set(
        PACKAGES
    )


def test_the_check_reads_a_commit_where_there_is_one():
    assert COMMITTING.search("    session.commit()  # at once")
