"""Indonesian phone numbers: accept 08…, 628…, +628…; store E.164; link WhatsApp as 628…."""

from __future__ import annotations

import phonenumbers


def to_e164(raw: str, region: str = "ID") -> str | None:
    """``+6281234567890`` for a valid number, else None."""
    text = raw.strip()
    if text.startswith("62") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_number(e164: str) -> str:
    """The digits wa.me wants: ``6281234567890``."""
    return e164.lstrip("+")
