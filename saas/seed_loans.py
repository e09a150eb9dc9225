"""The demo cooperative's loans: two products, loans in every collectibility class, one paid off
and one waiting for approval, one paid out last year (so last year's portfolio can be
published), assessed once, with last month's PPAP reserve posted.

Every date is counted back from the demo's own "today", so the classes hold whenever `make run`
first runs; a demo whose books are already closed where the loans would start gets none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.accounts import operations as accounts
from saas.accounts.models import TenantUser
from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.rules import Line
from saas.loans import collectibility, repayments
from saas.loans import operations as loans
from saas.loans.models import Loan, LoanProduct
from saas.loans.schedule import Frequency, InterestMethod
from saas.members.models import Member
from saas.savings.models import PaymentMethod

LOAN_KEYS = uuid.UUID("0c4f6a52-8d0e-4f55-a1a3-4c3f2b9d7e20")  # demo loan postings: one key each
CAPITAL = 12_000_000  # a village grant that the loans are paid out of

MONTHLY = loans.ProductTerms(
    name="Pinjaman Modal Usaha",
    method=InterestMethod.FLAT,
    frequency=Frequency.MONTHLY,
    rate_bp=1_800,
    min_instalments=3,
    max_instalments=24,
    min_amount=500_000,
    max_amount=10_000_000,
    admin_fee_bp=100,
    late_fee_per_day=1_000,
    grace_days=3,
)
WEEKLY = loans.ProductTerms(
    name="Pinjaman Mingguan Pasar",
    method=InterestMethod.FLAT,
    frequency=Frequency.WEEKLY,
    rate_bp=2_000,
    min_instalments=4,
    max_instalments=52,
    min_amount=300_000,
    max_amount=5_000_000,
    late_fee_per_day=500,
    grace_days=1,
)


@dataclass(frozen=True)
class DemoLoan:
    member: str  # the member's number
    terms: loans.ProductTerms
    principal: int
    instalments: int
    purpose: str
    days_ago: int | None  # paid out this many days before today; None: waiting for approval
    paid: int  # of the instalments due by today, how many were paid, each on its due date


# With the default thresholds (monthly 90/180/360 days, weekly 30/60/90 days) these are, today:
DEMO_LOANS = (
    DemoLoan("0001", MONTHLY, 3_000_000, 10, "Modal warung kelontong", 150, 10),  # lancar
    DemoLoan("0003", MONTHLY, 1_500_000, 3, "Pupuk musim tanam", 120, 3),  # paid off
    DemoLoan("0002", WEEKLY, 1_200_000, 24, "Dagangan sayur", 84, 4),  # 49 days: kurang lancar
    DemoLoan("0003", WEEKLY, 1_000_000, 20, "Gerobak bakso", 98, 2),  # 77 days: diragukan
    DemoLoan("0002", WEEKLY, 800_000, 16, "Stok pasar", 140, 0),  # 133 days: macet
    DemoLoan("0001", MONTHLY, 2_000_000, 12, "Renovasi kios", None, 0),  # waiting
)


def last_years_loan(today: date) -> DemoLoan:
    """A loan paid out on 1 October of last year and paid on time since: lancar, and still
    being repaid at last year's end (24 months)."""
    paid_out = date(today.year - 1, 10, 1)
    return DemoLoan("0002", MONTHLY, 2_400_000, 24, "Mesin jahit", (today - paid_out).days, 24)


def seed_loans(session: Session, today: date) -> Iterator[str]:
    """Create the demo's loans once, in one transaction."""
    if session.scalar(select(func.count()).select_from(Loan)):
        return
    demos = (*DEMO_LOANS, last_years_loan(today))  # last: the keys of the others stay as they were
    start = today - timedelta(days=max(d.days_ago or 0 for d in demos) + 1)
    first_open = ledger.first_open_day(session)
    if first_open is not None and start < first_open:
        return
    staff = {
        role: accounts.find_tenant_user_by_login(session, f"{role}@sukamaju.id")
        for role in ("ketua", "bendahara", "pengawas")
    }
    if None in staff.values():
        return
    people: dict[str, TenantUser] = {k: v for k, v in staff.items() if v is not None}
    _grant_capital(session, start, people["bendahara"].id)
    products = {terms.name: loans.save_product(session, None, terms) for terms in (MONTHLY, WEEKLY)}
    for index, demo in enumerate(demos):
        _make_loan(
            session, demo, products[demo.terms.name], today=today, people=people, index=index
        )
    collectibility.assess(session, today)
    last_month = today.replace(day=1) - timedelta(days=1)
    collectibility.post_reserve(
        session,
        last_month.year,
        last_month.month,
        today=today,
        user_id=people["bendahara"].id,
    )
    session.commit()
    yield f"paid out {sum(d.days_ago is not None for d in demos)} demo loans"


def _grant_capital(session: Session, on: date, treasurer: int) -> None:
    cash = ledger.account_by_role(session, "cash").id
    donated = session.scalar(select(Account.id).where(Account.code == "3-104"))
    assert donated is not None
    ledger.post_entry(
        session,
        entry_date=on,
        description="Hibah modal simpan pinjam dari Dana Desa",
        lines=[Line(cash, debit=CAPITAL), Line(donated, credit=CAPITAL)],
        idempotency_key=uuid.uuid5(LOAN_KEYS, "capital"),
        posted_by_id=treasurer,
    )


def _make_loan(
    session: Session,
    demo: DemoLoan,
    product: LoanProduct,
    *,
    today: date,
    people: dict[str, TenantUser],
    index: int,
) -> None:
    member = session.scalars(select(Member).where(Member.number == demo.member)).one()
    on = today - timedelta(days=demo.days_ago or 0)
    loan = loans.apply(
        session,
        loans.Application(member, product, demo.principal, demo.instalments, demo.purpose),
        applied_by_id=people["pengawas"].id,
        today=on,
    )
    if demo.days_ago is None:
        return
    for role in ("ketua", "bendahara"):
        officer = people[role]
        loans.decide(
            session, loan, user_id=officer.id, role=role, approve=True, note=None, today=on
        )
    treasurer = people["bendahara"]
    loans.disburse(
        session,
        loan,
        method=PaymentMethod.CASH,
        on=on,
        idempotency_key=uuid.uuid5(LOAN_KEYS, f"payout-{index}"),
        officer_id=treasurer.id,
    )
    due = [row for row in loans.schedule(session, loan) if row.due_date <= today]
    for row in due[: demo.paid]:
        amount = repayments.standing(session, loan, row.due_date).due_now
        repayments.repay(
            session,
            loan,
            repayments.Payment(
                amount=amount,
                method=PaymentMethod.CASH,
                paid_on=row.due_date,
                idempotency_key=uuid.uuid5(LOAN_KEYS, f"repay-{index}-{row.number}"),
                officer_id=treasurer.id,
                officer_name=treasurer.name,
            ),
        )
