"""Locales (Indonesian default, English), the locale selector and display filters.

Money is integer rupiah, shown as ``Rp1.234.567``: Babel would give IDR two decimals, so the
pattern is explicit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.accounts.roles import role_label

LOCALE_COOKIE = "bahasa"
DISPLAY_TZ = ZoneInfo("Asia/Jakarta")  # stored times are UTC; shown in WIB for now
LOCALE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.extensions["guyub.settings"].locales)


def select_locale() -> str:
    """User setting, then cookie, then the cooperative's default, then Accept-Language."""
    locales = supported_locales()
    if current_user and current_user.is_authenticated:
        chosen = current_user.record.locale
        if chosen in locales:
            return str(chosen)
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in locales:
        return str(cookie)
    tenant = g.get("tenant")
    if tenant is not None and tenant.default_locale in locales:
        return str(tenant.default_locale)
    best = request.accept_languages.best_match(locales)
    return best or current_app.extensions["guyub.settings"].default_locale


def format_rupiah(amount: int, locale: str = "id") -> str:
    """``Rp1.234.567`` in Indonesian, ``Rp1,234,567`` in English; negative as ``-Rp5.000``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("money is integer rupiah")
    # Whole rupiah grouped by thousands (CLDR's "#,##0"), with the locale's own separator;
    # formatted by Python rather than Babel's pattern engine: statements show thousands.
    digits = f"{abs(amount):,}".replace(",", _group_separator(locale))
    return f"{'-' if amount < 0 else ''}Rp{digits}"


def rupiah_in_words(amount: int) -> str:
    """The amount in Indonesian words, as a receipt writes it (``lokal``'s terbilang)."""
    # lokal compiles some 200 patterns as it is first imported (a fifth of a second): the web
    # server's master imports it before forking (gunicorn.conf.py), a command when it uses it.
    from lokal.terbilang import terbilang  # noqa: PLC0415

    return str(terbilang(amount))


@cache
def _group_separator(locale: str) -> str:
    return str(Locale.parse(locale).number_symbols["latn"]["group"])


def _active_locale() -> str:
    return str(get_locale() or "id")


def rupiah_filter(amount: int) -> str:
    return format_rupiah(amount, _active_locale())


def number_filter(value: int | float) -> str:
    return format_decimal(value, locale=_active_locale())


def date_filter(value: date | datetime, fmt: str = "medium") -> str:
    return format_date(value, format=fmt, locale=_active_locale())


def datetime_filter(value: datetime, fmt: str = "medium") -> str:
    return format_datetime(value, format=fmt, tzinfo=DISPLAY_TZ, locale=_active_locale())


TENANT_STATUS_LABELS = {
    "provisioning": _l("Being set up"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "failed": _l("Failed"),
}
VERIFICATION_STATUS_LABELS = {
    "submitted": _l("Waiting"),
    "in_review": _l("In review"),
    "returned": _l("Returned for fixing"),
    "approved": _l("Verified"),
    "suspended": _l("Verification suspended"),
    "revoked": _l("Verification revoked"),
}
VERIFICATION_EVENT_LABELS = {
    "submitted": _l("Submitted"),
    "resubmitted": _l("Submitted again"),
    "claimed": _l("Claimed for review"),
    "approved": _l("Approved"),
    "returned": _l("Returned with notes"),
    "suspended": _l("Verification suspended"),
    "revoked": _l("Verification revoked"),
}


def labeller(labels: dict[str, Any]) -> Callable[[str], str]:
    """A Jinja helper that names a stored code in the active language (the code if unknown)."""

    def label(code: str) -> str:
        return str(labels.get(str(code), code))

    return label


def register_filters(app: Flask) -> None:
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["status_label"] = labeller(TENANT_STATUS_LABELS)
    app.jinja_env.globals["verification_status_label"] = labeller(VERIFICATION_STATUS_LABELS)
    app.jinja_env.globals["event_label"] = labeller(VERIFICATION_EVENT_LABELS)
    app.jinja_env.filters["rupiah"] = rupiah_filter
    app.jinja_env.filters["number"] = number_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.globals["LOCALE_NAMES"] = LOCALE_NAMES
