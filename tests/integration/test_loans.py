"""Member loans from product to payout: the product's limits, who decides, one payout posted
once with its schedule, and the database keeping agreed terms and schedules as they were."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from saas.accounts.operations import create_tenant_user
from saas.accounts.roles import Role
from saas.ledger import operations as ledger
from saas.ledger.models import Account, EntrySource, JournalEntry
from saas.ledger.rules import LedgerError
from saas.loans import operations as loans
from saas.loans.models import Loan, LoanInstalment, LoanStatus
from saas.loans.schedule import Frequency, InterestMethod
from saas.members import operations as members
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from tests.clock import TODAY
from tests.factories import books_of, refused_by_database
from tests.integration import lending
from tests.integration.committed import Books, at_once, committed_books

MONTHLY = loans.ProductTerms(
    name="Pinjaman Produktif",
    method=InterestMethod.FLAT,
    frequency=Frequency.MONTHLY,
    rate_bp=1_800,
    min_instalments=3,
    max_instalments=24,
    min_amount=500_000,
    max_amount=10_000_000,
    admin_fee_bp=100,
    insurance_fee_bp=50,
)


@pytest.fixture
def books(db, tenants) -> Iterator:
    with books_of(db, tenants.a) as session:
        yield session


@pytest.fixture
def staff(books):
    return create_tenant_user(
        books, name="Sari Kasir", email="sari@kopalpha.id", role=Role.STAFF, password=None
    )


@pytest.fixture
def officers(tenants):
    users = tenants.a.users
    return users["ketua"], users["bendahara"]


def application(session, member, product, principal=3_000_000, **fields):
    return loans.Application(
        member=session.get_one(Member, member.id),
        product=product,
        principal=principal,
        instalments=fields.pop("instalments", 12),
        purpose=fields.pop("purpose", "Modal warung"),
        **fields,
    )


def refused(work) -> str:
    with pytest.raises(LedgerError) as error:
        work()
    return error.value.code


def approved_loan(session, tenants, staff, principal):
    """A 12-month loan on the monthly product, applied for by ``staff`` today and approved."""
    return lending.approved_loan(
        session, tenants, MONTHLY, principal, 12, on=TODAY, applicant=staff
    )


def test_a_product_needs_a_maximum_and_a_name_of_its_own(books):
    loans.save_product(books, None, MONTHLY)
    unlimited = loans.ProductTerms(**{**vars(MONTHLY), "name": "Lain", "max_amount": None})
    assert refused(lambda: loans.save_product(books, None, unlimited)) == "no_maximum"
    twin = loans.ProductTerms(**{**vars(MONTHLY), "name": " pinjaman   PRODUKTIF "})
    assert refused(lambda: loans.save_product(books, None, twin)) == "product_name_taken"


def test_an_application_takes_the_products_terms_and_fees(books, tenants, staff):
    product = loans.save_product(books, None, MONTHLY)
    loan = loans.apply(
        books,
        application(books, tenants.a.members[0], product),
        applied_by_id=staff.id,
        today=TODAY,
    )
    assert loan.status is LoanStatus.APPLIED
    assert (loan.rate_bp, loan.method, loan.instalments) == (1_800, InterestMethod.FLAT, 12)
    assert (loan.admin_fee, loan.insurance_fee) == (30_000, 15_000)
    assert loan.number == f"PJ-{TODAY.year}-00001"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"principal": 11_000_000}, "above_maximum"),
        ({"principal": 400_000}, "below_minimum"),
        ({"instalments": 36}, "tenor_out_of_range"),
        ({"instalments": 2}, "tenor_out_of_range"),
    ],
)
def test_an_application_outside_the_products_limits_is_refused(books, tenants, staff, fields, code):
    product = loans.save_product(books, None, MONTHLY)
    member = tenants.a.members[0]
    attempt = application(books, member, product, **fields)
    assert refused(lambda: loans.apply(books, attempt, applied_by_id=staff.id, today=TODAY)) == code
    assert books.scalar(select(func.count()).select_from(Loan)) == 0


def test_a_multiple_of_the_members_savings_caps_what_they_may_borrow(books, tenants, staff):
    terms = loans.ProductTerms(**{**vars(MONTHLY), "max_amount": None, "savings_multiple": 3})
    product = loans.save_product(books, None, terms)
    member = books.get_one(Member, tenants.a.members[0].id)
    for kind, amount in ((SavingsKind.POKOK, 100_000), (SavingsKind.WAJIB, 100_000)):
        savings.deposit(
            books,
            savings.Movement(
                member, kind, amount, PaymentMethod.CASH, TODAY, uuid.uuid4(), staff.id, "Sari"
            ),
        )
    assert loans.maximum_for(books, product, member) == 600_000
    too_much = application(books, member, product, principal=600_001)
    assert refused(lambda: loans.apply(books, too_much, applied_by_id=staff.id, today=TODAY)) == (
        "above_maximum"
    )
    loans.apply(
        books,
        application(books, member, product, principal=600_000),
        applied_by_id=staff.id,
        today=TODAY,
    )


def test_a_member_who_left_cannot_borrow(books, tenants, staff):
    product = loans.save_product(books, None, MONTHLY)
    member = books.get_one(Member, tenants.a.members[1].id)
    members.record_exit(books, member, on=TODAY, reason="Pindah")
    attempt = application(books, member, product)
    assert refused(lambda: loans.apply(books, attempt, applied_by_id=staff.id, today=TODAY)) == (
        "not_a_member"
    )


def test_a_product_asking_a_guarantor_gets_one(books, tenants, staff):
    terms = loans.ProductTerms(**{**vars(MONTHLY), "requires_guarantor": True})
    product = loans.save_product(books, None, terms)
    member = tenants.a.members[0]
    bare = application(books, member, product, guarantor="  ")
    assert refused(lambda: loans.apply(books, bare, applied_by_id=staff.id, today=TODAY)) == (
        "guarantor_required"
    )
    loan = loans.apply(
        books,
        application(books, member, product, guarantor=" Budi  (suami) "),
        applied_by_id=staff.id,
        today=TODAY,
    )
    assert loan.guarantor == "Budi (suami)"


def test_two_approving_officers_approve_and_the_applicant_never_decides(books, tenants, officers):
    ketua, bendahara = officers
    product = loans.save_product(books, None, MONTHLY)
    loan = loans.apply(
        books,
        application(books, tenants.a.members[0], product),
        applied_by_id=bendahara.id,
        today=TODAY,
    )

    def decide(user, approve=True, role=None):
        return loans.decide(
            books,
            loan,
            user_id=user.id,
            role=role or user.role,
            approve=approve,
            note=None,
            today=TODAY,
        )

    assert refused(lambda: decide(bendahara)) == "own_application"
    assert refused(lambda: decide(tenants.a.users["pengawas"])) == "role_not_allowed"
    decide(ketua)
    assert loan.status is LoanStatus.APPLIED  # one of the two
    assert refused(lambda: decide(ketua)) == "decided_by_you"
    loans.save_settings(books, approver_roles=["ketua", "pengawas"], approvals_required=2)
    decide(tenants.a.users["pengawas"])
    assert (loan.status, loan.decided_on) == (LoanStatus.APPROVED, TODAY)


def test_one_no_rejects_the_loan(books, tenants, staff, officers):
    product = loans.save_product(books, None, MONTHLY)
    loan = loans.apply(
        books,
        application(books, tenants.a.members[0], product),
        applied_by_id=staff.id,
        today=TODAY,
    )
    loans.decide(
        books,
        loan,
        user_id=officers[0].id,
        role="ketua",
        approve=False,
        note="Usaha belum jalan",
        today=TODAY,
    )
    assert (loan.status, loan.decision_note) == (LoanStatus.REJECTED, "Usaha belum jalan")
    assert (
        refused(
            lambda: loans.decide(
                books,
                loan,
                user_id=officers[1].id,
                role="bendahara",
                approve=True,
                note=None,
                today=TODAY,
            )
        )
        == "decided_already"
    )


def test_paying_out_posts_the_receivable_the_money_and_the_fees_and_writes_the_schedule(
    books, tenants, staff
):
    loan = approved_loan(books, tenants, staff, principal=1_000_000)
    lending.fund(books, 1_000_000, TODAY)
    key = uuid.uuid4()
    loans.disburse(
        books,
        loan,
        method=PaymentMethod.CASH,
        on=TODAY,
        idempotency_key=key,
        officer_id=tenants.a.users["bendahara"].id,
    )
    entry = books.get_one(JournalEntry, loan.disbursement_entry_id)
    by_role = {
        (books.get_one(Account, line.account_id).role, line.member_id): (line.debit, line.credit)
        for line in entry.lines
    }
    member_id = loan.member_id
    assert by_role == {
        ("loans_receivable", member_id): (1_000_000, 0),
        ("cash", None): (0, 985_000),
        ("loan_fees", member_id): (0, 10_000),
        ("loan_insurance", member_id): (0, 5_000),
    }
    assert entry.source is EntrySource.LOAN
    schedule = loans.schedule(books, loan)
    assert len(schedule) == 12
    assert sum(row.principal for row in schedule) == 1_000_000
    assert schedule[0].due_date.month == TODAY.month % 12 + 1
    assert loan.status is LoanStatus.ACTIVE
    again = loans.disburse(
        books,
        loan,
        method=PaymentMethod.CASH,
        on=TODAY,
        idempotency_key=uuid.uuid4(),
        officer_id=tenants.a.users["ketua"].id,
    )
    assert again.disbursement_entry_id == entry.id
    assert books.scalar(select(func.count()).select_from(LoanInstalment)) == 12
    owned = refused(
        lambda: ledger.reverse_entry(
            books, entry, entry_date=TODAY, reason="salah", idempotency_key=uuid.uuid4()
        )
    )
    assert owned == "owned_entry"


def test_a_loan_is_paid_out_only_once_approved_and_only_from_money_held(books, tenants, staff):
    product = loans.save_product(books, None, MONTHLY)
    pending = loans.apply(
        books,
        application(books, tenants.a.members[0], product),
        applied_by_id=staff.id,
        today=TODAY,
    )
    pay = {"method": PaymentMethod.CASH, "on": TODAY, "officer_id": staff.id}
    assert (
        refused(lambda: loans.disburse(books, pending, idempotency_key=uuid.uuid4(), **pay))
        == "not_approved"
    )
    large = approved_loan(books, tenants, staff, principal=9_000_000)  # more than the till holds
    assert (
        refused(lambda: loans.disburse(books, large, idempotency_key=uuid.uuid4(), **pay))
        == "not_enough_money"
    )


def test_the_database_keeps_agreed_terms_schedules_and_decisions(db, tenants, books, staff):
    loan = approved_loan(books, tenants, staff, principal=600_000)
    lending.fund(books, 600_000, TODAY)
    loans.disburse(
        books,
        loan,
        method=PaymentMethod.CASH,
        on=TODAY,
        idempotency_key=uuid.uuid4(),
        officer_id=staff.id,
    )
    books.flush()
    schema = tenants.a.tenant.schema_name
    attempts = {
        "UPDATE loans SET principal = principal + 1 WHERE id = :id": "decided on these terms",
        "UPDATE loans SET disbursed_on = disbursed_on + 1 WHERE id = :id": "paid out once",
        "DELETE FROM loans WHERE id = :id": "never deleted",
        "UPDATE loan_instalments SET interest = 0 WHERE loan_id = :id": "never changed",
        "DELETE FROM loan_instalments WHERE loan_id = :id": "never changed",
        "TRUNCATE loan_instalments CASCADE": "never changed",
        "UPDATE loan_approvals SET approved = false WHERE loan_id = :id": "never changed",
        "INSERT INTO loan_approvals (loan_id, user_id, role, approved, decided_at)"
        " VALUES (:id, :user, 'pengawas', true, now())": "decided already",
    }
    for statement, reason in attempts.items():
        error = refused_by_database(
            books, schema, statement, id=loan.id, user=tenants.a.users["pengawas"].id
        )
        assert reason in error, statement


def test_an_applicant_approving_their_own_loan_is_refused_by_the_database(books, tenants, staff):
    product = loans.save_product(books, None, MONTHLY)
    loan = loans.apply(
        books,
        application(books, tenants.a.members[0], product),
        applied_by_id=staff.id,
        today=TODAY,
    )
    error = refused_by_database(
        books,
        tenants.a.tenant.schema_name,
        "INSERT INTO loan_approvals (loan_id, user_id, role, approved, decided_at)"
        " VALUES (:id, :staff, 'ketua', true, now())",
        id=loan.id,
        staff=staff.id,
    )
    assert "does not decide" in error


@pytest.fixture
def committed(app) -> Iterator[Books]:
    with committed_books(app) as books:
        yield books


def test_every_officer_paying_out_one_loan_at_once_makes_one_payout(committed):
    with committed.session() as session:
        ketua = create_tenant_user(
            session, name="Ketua", email="ketua@kasir.id", role=Role.KETUA, password=None
        )
        staff = create_tenant_user(
            session, name="Staf", email="staf@kasir.id", role=Role.STAFF, password=None
        )
        lending.fund(session, 5_000_000, TODAY)
        product = loans.save_product(session, None, MONTHLY)
        loan = loans.apply(
            session,
            application(session, session.get_one(Member, committed.member_id), product),
            applied_by_id=staff.id,
            today=TODAY,
        )
        for user_id, role in ((ketua.id, "ketua"), (committed.officer_id, "bendahara")):
            loans.decide(
                session, loan, user_id=user_id, role=role, approve=True, note=None, today=TODAY
            )
        session.commit()
        loan_id = loan.id

    def pay_out(session):
        loan = session.get_one(Loan, loan_id)
        return loans.disburse(
            session,
            loan,
            method=PaymentMethod.CASH,
            on=TODAY,
            idempotency_key=uuid.uuid4(),
            officer_id=committed.officer_id,
        ).disbursement_entry_id

    entries = at_once(committed, pay_out)
    assert len(set(entries)) == 1
    with committed.session() as session:
        loan_entries = select(func.count()).where(JournalEntry.source == EntrySource.LOAN)
        assert session.scalar(loan_entries) == 1
        assert session.scalar(select(func.count()).select_from(LoanInstalment)) == 12
