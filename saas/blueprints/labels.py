"""What people call the kinds of savings, the ways of paying, the SHU funds and the books'
refusals, translated when shown: shared by every area that shows them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.ledger.rules import LedgerError
from saas.savings.models import PaymentMethod, SavingsKind

KIND_LABELS = {
    SavingsKind.POKOK: _l("Principal savings (pokok)"),
    SavingsKind.WAJIB: _l("Mandatory savings (wajib)"),
    SavingsKind.SUKARELA: _l("Voluntary savings (sukarela)"),
}
METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.QRIS: _l("QRIS"),
    PaymentMethod.TRANSFER: _l("Bank transfer"),
}
FUND_LABELS = {
    "cadangan": _l("Reserve (cadangan)"),
    "jasa_usaha": _l("Members, by their transactions (jasa usaha)"),
    "jasa_modal": _l("Members, by their savings (jasa modal)"),
    "pengurus": _l("Officers' fund"),
    "karyawan": _l("Employees' fund"),
    "pendidikan": _l("Education fund"),
    "sosial": _l("Social fund"),
}

LEDGER_MESSAGES = {
    "period_closed": _l("The books of that month are closed. Use a date in an open month."),
    "already_reversed": _l("This entry has already been reversed."),
    "reversal_of_reversal": _l("A reversal is not reversed again: record a new entry instead."),
    "period_not_ended": _l("A month can be closed once it has ended."),
    "already_closed": _l("That month is already closed."),
    "bad_account": _l("Choose an account from the list."),
    "not_enough_money": _l("There is not that much money in the cash or bank account."),
    "member_overdrawn": _l(
        "This would take a member's balance below zero: what this entry paid in has been paid "
        "out since. Reverse the later payout first."
    ),
    "owned_entry": _l(
        "This entry belongs to an SHU allocation, a month's interest, a reclassification, a "
        "loan or the shop: it is undone on its own page (a sale is reversed on its receipt)."
    ),
}


def ledger_message(error: LedgerError) -> str:
    return str(LEDGER_MESSAGES.get(error.code, LEDGER_MESSAGES["bad_account"]))
