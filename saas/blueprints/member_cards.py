"""A member card's QR code: the address it carries, and the member it names when read back.

The code holds a signed token for the cooperative and the member, inside the card's public
check address (``/kartu/<token>``). A counter or the RAT's attendance desk reads it back, typed,
pasted or scanned by the phone's camera: the whole address or the token alone.
"""

from __future__ import annotations

from flask import current_app, g

from saas.accounts.tokens import TokenExpired, TokenInvalid, make_token, read_token
from saas.blueprints.links import external_url
from saas.members.models import Member

CARD_MAX_AGE = 20 * 365 * 24 * 3600  # a card's QR code keeps working for the card's life
_PURPOSE = "member-card"


def card_url(member: Member) -> str:
    """The address printed as the card's QR code."""
    settings = current_app.extensions["guyub.settings"]
    token = make_token(settings.secret_key, _PURPOSE, {"tid": g.tenant.id, "mid": member.id})
    return external_url(g.tenant, "site.check_member", token=token)


def member_id_from_card(text: str) -> int | None:
    """The member id a card's code names in this cooperative; None when the text is not a
    card of this cooperative (a member number, a name, another cooperative's card)."""
    token = text.strip().rstrip("/").rsplit("/kartu/", 1)[-1]
    if not token or " " in token:
        return None
    settings = current_app.extensions["guyub.settings"]
    try:
        payload = read_token(settings.secret_key, _PURPOSE, token, CARD_MAX_AGE)
    except (TokenExpired, TokenInvalid):
        return None
    if payload.get("tid") != g.tenant.id:
        return None
    member_id = payload.get("mid")
    return member_id if isinstance(member_id, int) else None
