"""The loans' statements: the loan ledger (buku pinjaman) of every loan being repaid on a day
(today, or a past day as it stood then), and one loan's card (kartu pinjaman) with its terms,
schedule, payments and restructurings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import abort, g
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.loans.portfolio import CLASS_LABELS
from saas.blueprints.reports.letterhead import statement_pdf
from saas.blueprints.reports.statements import show
from saas.blueprints.reports.views import (
    append_rows,
    bp,
    file_response,
    new_workbook,
    period,
    xlsx_bytes,
)
from saas.db import tenant_db
from saas.loans import collectibility, repayments, restructuring
from saas.loans import operations as loans
from saas.loans.models import Loan, LoanProduct, LoanRepayment, LoanRestructure
from saas.members import operations as members
from saas.members.models import Member

Rows = Iterable[Sequence[object]]


@dataclass(frozen=True)
class LoanLedger:
    """Every loan being repaid on a day and the totals of its amounts, in rupiah."""

    lines: list[collectibility.BookLine]

    @property
    def principal(self) -> int:
        return sum(line.loan.principal for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def outstanding(self) -> int:
        return sum(line.outstanding for line in self.lines)


@bp.route("/buku-pinjaman")
@bp.route("/buku-pinjaman.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.READ_BOOKS)
def loan_ledger(fmt: str | None = None) -> ResponseReturnValue:
    """Every loan being repaid on the day asked (``per``, today by default): member, product,
    principal, paid, owed, class, days late, counting only the payments made by then."""
    form, _start, on, status = period()
    report = LoanLedger(collectibility.loan_book(tenant_db(), on))
    return show(
        fmt,
        status,
        endpoint="reports.loan_ledger",
        args={"per": on},
        name=_("Loan ledger"),
        title=_("Loan ledger (buku pinjaman) on %(date)s", date=format_date(on)),
        filename=f"buku-pinjaman-{g.tenant.slug}-{on.isoformat()}",
        rows=lambda: loan_ledger_rows(report),
        lines=len(report.lines),
        template="reports/loan_ledger.html",
        table="reports/_loan_ledger.html",
        form=form,
        with_start=False,
        report=report,
        GRADE_LABELS=CLASS_LABELS,
    )


def loan_ledger_rows(report: LoanLedger) -> Rows:
    yield [
        _("Loan"),
        _("Member number"),
        _("Member"),
        _("Product"),
        _("Principal"),
        _("Paid"),
        _("Owed"),
        _("Collectibility"),
        _("Days late"),
    ]
    for line in report.lines:
        yield [
            line.loan.number,
            line.member.number,
            line.member.name,
            line.product_name,
            line.loan.principal,
            line.paid,
            line.outstanding,
            str(CLASS_LABELS[line.grade]),
            line.days_overdue,
        ]
    yield ["", "", _("Total"), "", report.principal, report.paid, report.outstanding]


# -- a member's loan card ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanCard:
    """One loan as its card shows it, amounts in rupiah."""

    loan: Loan
    member: Member
    product: LoanProduct
    standing: repayments.Standing
    payments: list[LoanRepayment]
    restructures: list[LoanRestructure]


def loan_card_of(loan_id: int) -> LoanCard:
    session = tenant_db()
    loan = loans.get_loan(session, loan_id)
    if loan is None or loan.disbursement_entry_id is None:
        abort(404)
    member = members.get_member_for_tenant(session, loan.member_id)
    if member is None:
        abort(404)
    return LoanCard(
        loan,
        member,
        session.get_one(LoanProduct, loan.product_id),
        repayments.standing(session, loan, clock.today()),
        repayments.repayments_of(session, loan),
        restructuring.history(session, loan),
    )


@bp.route("/kartu-pinjaman/<int:loan_id>.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.READ_BOOKS)
def loan_card(loan_id: int, fmt: str) -> ResponseReturnValue:
    """One loan's card: terms, the schedule in force with what is paid, payments, changes."""
    card = loan_card_of(loan_id)
    title = _("Loan card %(number)s", number=card.loan.number)
    filename = f"kartu-pinjaman-{card.loan.number}.{fmt}"
    if fmt == "pdf":
        body = statement_pdf("reports/loan_card_pdf.html", card=card, title=title, name=title)
    else:
        body = loan_card_xlsx(card, title)
    return file_response(body, filename)


def loan_card_xlsx(card: LoanCard, title: str) -> bytes:
    """Three sheets: the terms with the schedule, the payments, the restructurings."""
    book = new_workbook()
    append_rows(
        book.create_sheet(_("Schedule")[:31]),
        [[title], *terms_rows(card), [], *schedule_rows(card)],
    )
    append_rows(book.create_sheet(_("Payments")[:31]), payment_rows(card))
    append_rows(book.create_sheet(_("Restructurings")[:31]), restructure_rows(card))
    return xlsx_bytes(book)


def terms_rows(card: LoanCard) -> Rows:
    loan = card.loan
    yield [_("Member"), f"{card.member.number} {card.member.name}"]
    yield [_("Product"), card.product.name]
    yield [_("Principal"), loan.principal]
    yield [_("Interest a year, in basis points"), loan.rate_bp]
    yield [_("Number of instalments"), loan.instalments]
    yield [_("Paid out on"), format_date(loan.disbursed_on) if loan.disbursed_on else ""]
    yield [_("Principal owed"), card.standing.principal_left]


def schedule_rows(card: LoanCard) -> Rows:
    yield [_("Instalment"), _("Due"), _("Principal"), _("Interest"), _("Paid"), _("Settled on")]
    for due in card.standing.dues:
        yield [
            due.number,
            format_date(due.due_date),
            due.principal,
            due.interest,
            due.paid_principal + due.paid_interest,
            format_date(due.settled_on) if due.settled_on else "",
        ]


def payment_rows(card: LoanCard) -> Rows:
    yield [
        _("Receipt"),
        _("Date"),
        _("Principal"),
        _("Interest"),
        _("Late fee"),
        _("Amount"),
        _("Reversed"),
    ]
    for payment in card.payments:
        yield [
            payment.number,
            format_date(payment.paid_on),
            payment.principal,
            payment.interest,
            payment.late_fee,
            payment.amount,
            _("Reversed") if payment.reversal is not None else "",
        ]


def restructure_rows(card: LoanCard) -> Rows:
    yield [_("Date"), _("Principal rescheduled"), _("Number of instalments"), _("Reason")]
    for change in card.restructures:
        yield [
            format_date(change.restructured_on),
            change.principal,
            change.instalments,
            change.reason,
        ]
