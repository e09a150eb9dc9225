"""Loans for tests: a product and a loan paid out months before "today", and paying it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.rules import Line
from saas.loans import operations as loans
from saas.loans import repayments
from saas.loans.models import Loan
from saas.loans.schedule import Frequency, InterestMethod
from saas.members.models import Member
from saas.savings.models import PaymentMethod

PAID_OUT = date(2026, 7, 10)  # dues on the 10th: August to January, six monthly instalments
FLAT = loans.ProductTerms(
    name="Pinjaman Usaha",
    method=InterestMethod.FLAT,
    frequency=Frequency.MONTHLY,
    rate_bp=2_400,  # 2% a month: 20,000 a month on 1,000,000
    min_instalments=1,
    max_instalments=24,
    min_amount=100_000,
    max_amount=50_000_000,
    late_fee_per_day=1_000,
    grace_days=3,
)


def approved_loan(
    session,
    tenants,
    terms=FLAT,
    principal=1_200_000,
    instalments=6,
    *,
    member=0,
    on=PAID_OUT,
    applicant=None,
) -> Loan:
    """A loan for the ``member``-th member of tenant A, applied for on ``on`` by ``applicant``
    (the pengawas by default) and approved by the ketua and the bendahara."""
    users = tenants.a.users
    products = {product.name: product for product in loans.list_products(session)}
    product = products.get(terms.name) or loans.save_product(session, None, terms)
    borrower = session.get_one(Member, tenants.a.members[member].id)
    loan = loans.apply(
        session,
        loans.Application(borrower, product, principal, instalments, "Modal"),
        applied_by_id=(applicant or users["pengawas"]).id,
        today=on,
    )
    for officer in (users["ketua"], users["bendahara"]):
        loans.decide(
            session,
            loan,
            user_id=officer.id,
            role=officer.role,
            approve=True,
            note=None,
            today=on,
        )
    return loan


def fund(session, amount: int, on: date) -> None:
    """Put ``amount`` into the cash box (a grant), so a payout has money to come from."""
    grant = session.scalar(select(Account.id).where(Account.code == "3-104"))
    ledger.post_entry(
        session,
        entry_date=on,
        description="Hibah modal",
        lines=[
            Line(ledger.account_by_role(session, "cash").id, debit=amount),
            Line(grant, credit=amount),
        ],
        idempotency_key=uuid.uuid4(),
    )


def active_loan(
    session, tenants, terms=FLAT, principal=1_200_000, instalments=6, *, member=0, on=PAID_OUT
) -> Loan:
    """A loan paid out in cash on ``on`` (by default 6 x (200,000 principal + 24,000 interest)
    from ``PAID_OUT``) to the ``member``-th member of tenant A."""
    loan = approved_loan(session, tenants, terms, principal, instalments, member=member, on=on)
    fund(session, principal, on)
    return loans.disburse(
        session,
        loan,
        method=PaymentMethod.CASH,
        on=on,
        idempotency_key=uuid.uuid4(),
        officer_id=tenants.a.users["bendahara"].id,
    )


def pay(session, loan, amount, on, **fields) -> repayments.PaymentResult:
    return repayments.repay(
        session,
        loan,
        repayments.Payment(
            amount=amount,
            method=fields.pop("method", PaymentMethod.CASH),
            paid_on=on,
            idempotency_key=fields.pop("key", uuid.uuid4()),
            officer_id=1,
            officer_name="Bambang",
            **fields,
        ),
    )
