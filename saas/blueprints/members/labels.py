"""What people call the kinds of savings and the ways of paying, translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
