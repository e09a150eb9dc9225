"""The letterhead and signature lines every statement PDF carries, and the PDF itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import g, render_template
from flask_babel import get_locale
from flask_babel.speaklater import LazyString

from saas import clock
from saas.blueprints.profile.forms import POSITION_LABELS
from saas.db import tenant_db
from saas.microsite import operations as microsite
from saas.microsite.models import CooperativeProfile, Position
from saas.pdf import render_pdf

# The two officers who sign the cooperative's statements (Permenkop: the Ketua and the Bendahara).
SIGNATORIES = (Position.KETUA, Position.BENDAHARA)
ZONE_NAMES = {clock.WIB: "WIB", clock.WITA: "WITA", clock.WIT: "WIT"}


@dataclass(frozen=True)
class Signature:
    position: LazyString
    name: str | None  # None when the board has nobody in the position: a blank line to fill in


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: str | None
    region: str | None
    sk_ahu_number: str | None
    sk_ahu_date: date | None
    npwp: str | None
    printed_at: datetime  # in the cooperative's own zone
    printed_time: str  # the time of day as the page's language writes it, with the zone
    signatures: tuple[Signature, ...]


def current_letterhead() -> Letterhead:
    """The request's cooperative as its statements are headed and signed, printed now."""
    session = tenant_db()
    profile = microsite.get_profile(session)
    board = microsite.list_board(session)
    zone = clock.zone_for_tenant(g.tenant)
    printed_at = clock.now().astimezone(zone)
    return Letterhead(
        name=g.tenant.display_name,
        address=postal_address(profile),
        region=g.tenant.region_label,
        sk_ahu_number=profile.sk_ahu_number if profile else None,
        sk_ahu_date=profile.sk_ahu_date if profile else None,
        npwp=profile.npwp if profile else None,
        printed_at=printed_at,
        printed_time=time_of_day(printed_at, zone),
        signatures=tuple(
            Signature(
                POSITION_LABELS[position],
                next((m.name for m in board if m.position == position), None),
            )
            for position in SIGNATORIES
        ),
    )


def postal_address(profile: CooperativeProfile | None) -> str | None:
    """The street address and the postal code, as far as the profile has them."""
    if profile is None:
        return None
    return ", ".join(part for part in (profile.address, profile.postal_code) if part) or None


def time_of_day(instant: datetime, zone: ZoneInfo) -> str:
    """``14.05 WIB``: the hour in the page's language and the zone Indonesians name it by."""
    return f"{format_time(instant, 'short', tzinfo=zone, locale=get_locale())} {ZONE_NAMES[zone]}"


def statement_pdf(template: str, **context: Any) -> bytes:
    """A statement rendered from ``template`` as a PDF under the cooperative's letterhead."""
    return render_pdf(render_template(template, letterhead=current_letterhead(), **context))
