"""The only code that writes loans: products, applications, decisions and disbursement.

Loans are for members only (UU 4/2023: the close loop). A loan's terms are copied from its
product when applied for; the cooperative's settings say which roles approve and how many must;
whoever applied never decides. Paying a loan out posts one entry (the receivable, the money
paid, the fees) and writes its schedule, once however often it is asked. Operations flush and
never commit: the request or the job commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.billing.limits import require_feature
from saas.ledger import operations as ledger
from saas.ledger.models import EntrySource
from saas.ledger.rules import LedgerError, Line
from saas.loans.models import (
    DEFAULT_ARREARS_DAYS,
    DEFAULT_PPAP_BP,
    Loan,
    LoanApproval,
    LoanInstalment,
    LoanProduct,
    LoanSettings,
    LoanStatus,
    PayoffRule,
)
from saas.loans.schedule import BASIS_POINTS, MIN_PER_INSTALMENT, Frequency, InterestMethod, Terms
from saas.loans.schedule import build as build_schedule
from saas.members.models import Member, MemberStatus
from saas.members.operations import next_number
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind


class LoanError(LedgerError):
    """A loan the rules refuse (``code``; ``details`` for the message)."""


# -- settings and products -----------------------------------------------------------------------


def get_settings(session: Session) -> LoanSettings:
    return session.get(LoanSettings, 1) or LoanSettings(
        id=1,
        approver_roles=["ketua", "bendahara"],
        approvals_required=2,
        arrears_days=dict(DEFAULT_ARREARS_DAYS),
        ppap_bp=dict(DEFAULT_PPAP_BP),
    )


def save_settings(
    session: Session,
    *,
    approver_roles: list[str],
    approvals_required: int,
    arrears_days: dict[str, list[int]] | None = None,
    ppap_bp: dict[str, int] | None = None,
) -> None:
    """Who approves loans and how many of them must; optionally the arrears thresholds per
    frequency (days after which a loan is kurang lancar, diragukan, macet) and the PPAP rates."""
    if not approver_roles or not 1 <= approvals_required <= 5:
        raise LoanError("bad_approval_rule")
    if arrears_days is not None and not all(
        len(days) == 3 and 0 < days[0] < days[1] < days[2] for days in arrears_days.values()
    ):
        raise LoanError("bad_thresholds")
    if ppap_bp is not None and not all(0 <= bp <= BASIS_POINTS for bp in ppap_bp.values()):
        raise LoanError("bad_reserve_rates")
    settings = session.get(LoanSettings, 1)
    if settings is None:
        settings = LoanSettings(id=1)
        session.add(settings)
    settings.approver_roles = sorted(set(approver_roles))
    settings.approvals_required = approvals_required
    if arrears_days is not None:
        settings.arrears_days = {**(settings.arrears_days or DEFAULT_ARREARS_DAYS), **arrears_days}
    if ppap_bp is not None:
        settings.ppap_bp = {**(settings.ppap_bp or DEFAULT_PPAP_BP), **ppap_bp}
    session.flush()


@dataclass(frozen=True)
class ProductTerms:
    name: str
    method: InterestMethod
    frequency: Frequency
    rate_bp: int
    min_instalments: int
    max_instalments: int
    min_amount: int
    max_amount: int | None = None
    savings_multiple: int | None = None
    admin_fee_bp: int = 0
    insurance_fee_bp: int = 0
    late_fee_per_day: int = 0
    grace_days: int = 0
    payoff_rule: PayoffRule = PayoffRule.ALL_INTEREST
    requires_guarantor: bool = False
    collateral_note: str | None = None
    is_active: bool = True  # offered for new applications


def save_product(session: Session, product: LoanProduct | None, terms: ProductTerms) -> LoanProduct:
    """Create a product, or change one (loans already applied for keep their own terms)."""
    name = " ".join(terms.name.split())
    taken = select(LoanProduct.id).where(func.lower(LoanProduct.name) == name.lower())
    if product is not None:
        taken = taken.where(LoanProduct.id != product.id)
    if session.scalar(taken) is not None:
        raise LoanError("product_name_taken")
    if terms.max_amount is None and terms.savings_multiple is None:
        raise LoanError("no_maximum")
    if product is None:
        product = LoanProduct()
        session.add(product)
    for field, value in vars(terms).items():
        setattr(product, field, value)
    product.name = name
    session.flush()
    return product


def list_products(session: Session, *, active_only: bool = False) -> list[LoanProduct]:
    query = select(LoanProduct).order_by(LoanProduct.name)
    if active_only:
        query = query.where(LoanProduct.is_active)
    return list(session.scalars(query))


# -- applying ------------------------------------------------------------------------------------


def savings_base(session: Session, member: Member) -> int:
    """The member's principal + mandatory savings: what a product's multiple is taken of."""
    held = savings.balances(session, member.id)
    return held[SavingsKind.POKOK] + held[SavingsKind.WAJIB]


def maximum_for(session: Session, product: LoanProduct, member: Member) -> int | None:
    """The most ``member`` may borrow on ``product`` (None: no limit but the product's)."""
    limits = [product.max_amount] if product.max_amount is not None else []
    if product.savings_multiple is not None:
        limits.append(product.savings_multiple * savings_base(session, member))
    return min(limits) if limits else None


@dataclass(frozen=True)
class Application:
    member: Member
    product: LoanProduct
    principal: int
    instalments: int
    purpose: str
    guarantor: str | None = None
    collateral: str | None = None


def fee(principal: int, basis_points: int) -> int:
    """A fee of ``basis_points`` of the principal, rounded half up to the rupiah."""
    return (principal * basis_points * 2 + BASIS_POINTS) // (BASIS_POINTS * 2)


def apply(session: Session, application: Application, *, applied_by_id: int, today: date) -> Loan:
    """Record an application for a member, on the product's terms, or refuse it with why."""
    require_feature(session, "loans")  # a new loan needs the plan; repayments never do
    member, product, principal = application.member, application.product, application.principal
    if member.status is not MemberStatus.ACTIVE:
        raise LoanError("not_a_member", member=member.number)
    if not product.is_active:
        raise LoanError("product_closed")
    if not product.min_instalments <= application.instalments <= product.max_instalments:
        raise LoanError(
            "tenor_out_of_range", low=product.min_instalments, high=product.max_instalments
        )
    if principal < product.min_amount:
        raise LoanError("below_minimum", minimum=product.min_amount)
    if principal < application.instalments * MIN_PER_INSTALMENT:
        raise LoanError("too_small_for_tenor", minimum=application.instalments * MIN_PER_INSTALMENT)
    maximum = maximum_for(session, product, member)
    if maximum is not None and principal > maximum:
        raise LoanError("above_maximum", maximum=maximum)
    if product.requires_guarantor and not (application.guarantor or "").strip():
        raise LoanError("guarantor_required")
    admin_fee = fee(principal, product.admin_fee_bp)
    insurance_fee = fee(principal, product.insurance_fee_bp)
    if admin_fee + insurance_fee >= principal:
        raise LoanError("fees_exceed_principal")
    loan = Loan(
        number=f"PJ-{today.year}-{next_number(session, 'loans'):05d}",
        member_id=member.id,
        product_id=product.id,
        principal=principal,
        rate_bp=product.rate_bp,
        instalments=application.instalments,
        method=product.method,
        frequency=product.frequency,
        admin_fee=admin_fee,
        insurance_fee=insurance_fee,
        purpose=" ".join(application.purpose.split()),
        guarantor=_clean(application.guarantor),
        collateral=_clean(application.collateral),
        status=LoanStatus.APPLIED,
        applied_by_id=applied_by_id,
        applied_on=today,
    )
    session.add(loan)
    session.flush()
    return loan


def _clean(text: str | None) -> str | None:
    return " ".join(text.split()) or None if text else None


def terms_of(loan: Loan) -> Terms:
    return Terms(loan.principal, loan.rate_bp, loan.instalments, loan.method, loan.frequency)


# -- deciding ------------------------------------------------------------------------------------


def decide(
    session: Session,
    loan: Loan,
    *,
    user_id: int,
    role: str,
    approve: bool,
    note: str | None,
    today: date,
) -> Loan:
    """One officer's decision. A no rejects the loan; enough yeses from the approving roles
    approve it. Whoever applied never decides, and each officer decides once."""
    lock_loan(session, loan)
    if loan.status is not LoanStatus.APPLIED:
        raise LoanError("decided_already")
    if user_id == loan.applied_by_id:
        raise LoanError("own_application")
    settings = get_settings(session)
    if role not in settings.approver_roles:
        raise LoanError("role_not_allowed")
    decided = select(LoanApproval.id).where(
        LoanApproval.loan_id == loan.id, LoanApproval.user_id == user_id
    )
    if session.scalar(decided) is not None:
        raise LoanError("decided_by_you")
    session.add(
        LoanApproval(
            loan_id=loan.id, user_id=user_id, role=role, approved=approve, note=_clean(note)
        )
    )
    session.flush()
    yeses = session.scalar(
        select(func.count()).where(LoanApproval.loan_id == loan.id, LoanApproval.approved)
    )
    if not approve:
        loan.status, loan.decided_on, loan.decision_note = LoanStatus.REJECTED, today, _clean(note)
    elif (yeses or 0) >= settings.approvals_required:
        loan.status, loan.decided_on = LoanStatus.APPROVED, today
    session.flush()
    return loan


def cancel(session: Session, loan: Loan, *, note: str | None, today: date) -> Loan:
    """Withdraw a loan not yet paid out."""
    lock_loan(session, loan)
    if loan.status not in (LoanStatus.APPLIED, LoanStatus.APPROVED):
        raise LoanError("not_cancellable")
    loan.status, loan.decided_on, loan.decision_note = LoanStatus.CANCELLED, today, _clean(note)
    session.flush()
    return loan


def lock_loan(session: Session, loan: Loan) -> None:
    """Queue decisions and payouts of one loan behind each other, and read it afresh."""
    locked = select(Loan).where(Loan.id == loan.id).with_for_update()
    session.scalars(locked.execution_options(populate_existing=True)).one()


# -- paying out ----------------------------------------------------------------------------------


def disburse(
    session: Session,
    loan: Loan,
    *,
    method: PaymentMethod,
    on: date,
    idempotency_key: uuid.UUID,
    officer_id: int,
) -> Loan:
    """Pay an approved loan out: one entry (the member's receivable against the money paid,
    the fees kept) and its schedule from ``on``. A loan already paid out is returned as it is,
    so a double tap or two officers at once make one payout."""
    require_feature(session, "loans")
    lock_loan(session, loan)
    if loan.status in (LoanStatus.ACTIVE, LoanStatus.PAID_OFF):
        return loan
    if loan.status is not LoanStatus.APPROVED:
        raise LoanError("not_approved")
    member = session.get(Member, loan.member_id)
    if member is None or member.status is not MemberStatus.ACTIVE:
        raise LoanError("not_a_member", member=member.number if member else "")
    result = ledger.post_entry(
        session,
        entry_date=on,
        description=f"Pencairan pinjaman {loan.number} {member.number}",
        lines=disbursement_lines(session, loan, method),
        idempotency_key=idempotency_key,
        source=EntrySource.LOAN,
        posted_by_id=officer_id,
        member_id=loan.member_id,
    )
    loan.status, loan.disbursed_on, loan.officer_id = LoanStatus.ACTIVE, on, officer_id
    loan.disbursement_entry_id = result.entry.id
    session.add_all(
        LoanInstalment(
            loan_id=loan.id,
            version=1,
            number=row.number,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
        )
        for row in build_schedule(terms_of(loan), on)
    )
    session.flush()
    return loan


def disbursement_lines(session: Session, loan: Loan, method: PaymentMethod) -> list[Line]:
    """The member owes the principal; they receive it less the fees, which the cooperative
    keeps (the admin fee as revenue naming the member, the insurance premium to pass on)."""
    member_id = loan.member_id
    lines = [
        Line(
            ledger.account_by_role(session, "loans_receivable").id,
            debit=loan.principal,
            member_id=member_id,
        ),
        Line(
            ledger.account_by_role(session, method.account_role).id,
            credit=loan.principal - loan.admin_fee - loan.insurance_fee,
        ),
    ]
    if loan.admin_fee:
        lines.append(
            Line(
                ledger.account_by_role(session, "loan_fees").id,
                credit=loan.admin_fee,
                member_id=member_id,
            )
        )
    if loan.insurance_fee:
        lines.append(
            Line(
                ledger.account_by_role(session, "loan_insurance").id,
                credit=loan.insurance_fee,
                member_id=member_id,
            )
        )
    return lines


# -- reading -------------------------------------------------------------------------------------


def get_loan(session: Session, loan_id: int) -> Loan | None:
    return session.get(Loan, loan_id)


def schedule(session: Session, loan: Loan) -> list[LoanInstalment]:
    """The loan's schedule in force (its latest version)."""
    latest = (
        select(func.max(LoanInstalment.version))
        .where(LoanInstalment.loan_id == loan.id)
        .scalar_subquery()
    )
    query = select(LoanInstalment).where(
        LoanInstalment.loan_id == loan.id, LoanInstalment.version == latest
    )
    return list(session.scalars(query.order_by(LoanInstalment.number)))


def loans_of(session: Session, member_id: int) -> list[Loan]:
    query = select(Loan).where(Loan.member_id == member_id).order_by(Loan.id.desc())
    return list(session.scalars(query))
