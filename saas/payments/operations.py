"""Writes for QRIS payments: the cooperative's code, and the treasurer's confirmation of the
payments that reached the bank. Nothing here commits; the request does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.ledger.rules import LedgerError
from saas.loans import repayments
from saas.loans.models import Loan, LoanRepayment
from saas.members.models import Member
from saas.payments import qris
from saas.payments.models import QrisSetting
from saas.payments.queries import get_qris_setting
from saas.savings import bills
from saas.savings.models import Bill, BillItem, PaymentMethod, Receipt, SavingsKind
from saas.savings.operations import Movement


def save_qris_setting(
    session: Session, payload: str, *, replace: bool, user_id: int
) -> QrisSetting:
    """Keep the cooperative's static code; a code of another merchant than the one kept is
    refused (QrisError ``other_merchant``) unless ``replace`` says the merchant changes."""
    static = qris.read_static(payload)
    setting = get_qris_setting(session)
    if setting is None:
        setting = QrisSetting(id=1)
        session.add(setting)
    elif not replace and not qris.same_merchant(setting.payload, static.payload):
        raise qris.QrisError("other_merchant")
    setting.payload = static.payload
    setting.merchant_name = static.merchant_name
    setting.merchant_city = static.merchant_city
    setting.nmid = static.nmid
    setting.set_by_id = user_id
    setting.set_at = datetime.now(UTC)
    session.flush()
    return setting


@dataclass(frozen=True)
class Refusal:
    """A member's payment not recorded: ``code`` (and ``details``) as SavingsError gives them."""

    member: Member
    code: str
    details: dict[str, object]


@dataclass
class Confirmation:
    """What confirming a list did: receipts made now, receipts made by an earlier submit of the
    same form, and members refused."""

    posted: list[Receipt] = field(default_factory=list)
    repeated: list[Receipt] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def member_key(form_key: uuid.UUID, member_id: int) -> uuid.UUID:
    """The idempotency key of one member's payment confirmed from one submitted form."""
    return uuid.uuid5(form_key, f"qris-member-{member_id}")


def confirm_qris_payments(
    session: Session,
    item_ids: list[int],
    *,
    form_key: uuid.UUID,
    paid_on: date,
    officer_id: int,
    officer_name: str,
) -> Confirmation:
    """Record the ticked shares of mandatory savings as paid by QRIS: one deposit and receipt per
    member for all of their ticked months. A member whose month was paid meanwhile is refused
    (naming the receipt) without holding back the others; a repeated form posts nothing new."""
    done = Confirmation()
    for member, shares in _ticked_by_member(session, item_ids):
        movement = Movement(
            member=member,
            kind=SavingsKind.WAJIB,
            amount=sum(item.amount for _bill, item in shares),
            method=PaymentMethod.QRIS,
            paid_on=paid_on,
            idempotency_key=member_key(form_key, member.id),
            officer_id=officer_id,
            officer_name=officer_name,
        )
        months = [(bill.year, bill.month) for bill, _item in shares]
        try:
            # A savepoint per member: a refusal undoes that member's locks and rows only.
            with session.begin_nested():
                receipt, created = bills.pay_dues(session, movement, months)
        except LedgerError as exc:
            done.refused.append(Refusal(member, exc.code, exc.details))
            continue
        (done.posted if created else done.repeated).append(receipt)
    return done


def _ticked_by_member(
    session: Session, item_ids: list[int]
) -> list[tuple[Member, list[tuple[Bill, BillItem]]]]:
    """The ticked mandatory-savings shares, grouped by member in member order (a fixed lock
    order: two treasurers confirming at once never deadlock)."""
    rows = session.execute(
        select(Member, Bill, BillItem)
        .join(BillItem, BillItem.member_id == Member.id)
        .join(Bill, Bill.id == BillItem.bill_id)
        .where(BillItem.id.in_(set(item_ids)), Bill.kind == SavingsKind.WAJIB)
        .order_by(Member.id, Bill.year, Bill.month)
    )
    ticked: dict[int, tuple[Member, list[tuple[Bill, BillItem]]]] = {}
    for member, bill, item in rows:
        ticked.setdefault(member.id, (member, []))[1].append((bill, item))
    return list(ticked.values())


@dataclass(frozen=True)
class LoanRefusal:
    """An instalment payment not recorded: ``code`` (and ``details``) as LoanError gives them."""

    loan: Loan
    code: str
    details: dict[str, object]


@dataclass
class InstalmentConfirmation:
    """What confirming instalments did: payments made now, by an earlier submit, and refused."""

    posted: list[LoanRepayment] = field(default_factory=list)
    repeated: list[LoanRepayment] = field(default_factory=list)
    refused: list[LoanRefusal] = field(default_factory=list)


def loan_key(form_key: uuid.UUID, loan_id: int) -> uuid.UUID:
    """The idempotency key of one loan's payment confirmed from one submitted form."""
    return uuid.uuid5(form_key, f"qris-loan-{loan_id}")


def confirm_qris_instalments(
    session: Session,
    amounts: dict[int, int],
    *,
    form_key: uuid.UUID,
    paid_on: date,
    officer_id: int,
    officer_name: str,
) -> InstalmentConfirmation:
    """Record loan payments that reached the bank by QRIS: for each ticked loan the amount its
    code asked, as one payment split as any other. A refused loan holds back no other; a
    repeated form pays nothing twice."""
    done = InstalmentConfirmation()
    for loan_id in sorted(amounts):  # a fixed lock order: two treasurers never deadlock
        loan = session.get(Loan, loan_id)
        if loan is None:
            continue
        payment = repayments.Payment(
            amount=amounts[loan_id],
            method=PaymentMethod.QRIS,
            paid_on=paid_on,
            idempotency_key=loan_key(form_key, loan_id),
            officer_id=officer_id,
            officer_name=officer_name,
        )
        try:
            with session.begin_nested():  # a refusal undoes this loan's rows only
                result = repayments.repay(session, loan, payment)
        except LedgerError as exc:
            done.refused.append(LoanRefusal(loan, exc.code, exc.details))
            continue
        (done.posted if result.created else done.repeated).append(result.repayment)
    return done
