"""A member's unpaid mandatory savings as a QRIS code with their exact amount: shown on the
member's own page and at the counter."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from saas import clock
from saas.db import tenant_db
from saas.i18n import rupiah_in_words
from saas.members.models import Member, MemberStatus
from saas.payments import queries
from saas.payments.qris import dynamic_payload
from saas.qr import qr_svg


@dataclass(frozen=True)
class QrisToPay:
    """A member's unpaid mandatory savings as a QRIS code with their exact amount."""

    payload: str
    svg: Markup
    amount: int  # rupiah
    in_words: str
    merchant_name: str
    months: list[str]  # "11/2026"


def qris_to_pay(member: Member) -> QrisToPay | None:
    """The code paying the member's unpaid mandatory savings up to this month; None when nothing
    is owed, the member has left (savings are no longer paid in) or the cooperative has no QRIS
    code."""
    if member.status != MemberStatus.ACTIVE:
        return None
    setting = queries.get_qris_setting(tenant_db())
    shares = queries.owed_shares(tenant_db(), member.id, clock.today())
    if setting is None or not shares:
        return None
    amount = sum(item.amount for _bill, item in shares)
    payload = dynamic_payload(
        setting.payload, amount, bill_number=queries.bill_number(member, shares)
    )
    return QrisToPay(
        payload=payload,
        svg=qr_svg(payload, scale=4),
        amount=amount,
        in_words=rupiah_in_words(amount),
        merchant_name=setting.merchant_name,
        months=[f"{bill.month:02d}/{bill.year}" for bill, _item in shares],
    )
