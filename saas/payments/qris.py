"""The cooperative's QRIS code: reading the static payload it prints at the counter, and
deriving from it a dynamic payload that carries the exact amount of a bill.

A payload is EMVCo TLV text (``lokal.qris`` reads it and computes its CRC); nothing here
touches Flask or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lokal.qris import QrisInfo

RUPIAH = "360"  # ISO 4217 numeric
BILL_NUMBER_MAX = 25  # tag 62, sub-tag 01, as EMVCo allows
# Errors of lokal.qris that mean the text is not a payload at all (cut, mistyped, another code).
UNREADABLE = {"format", "payload_format", "crc_missing", "duplicate"}


class QrisError(ValueError):
    """A payload refused; ``code`` is one of unreadable, bad_crc, not_static, not_rupiah,
    no_merchant."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StaticQris:
    """A checked static payload and the merchant it pays."""

    payload: str
    merchant_name: str
    merchant_city: str
    nmid: str


def read_static(payload: str) -> StaticQris:
    """The cooperative's static code, checked; raises QrisError naming the first fault."""
    from lokal.qris import parse_qris  # noqa: PLC0415 - imported when used, as saas.members.rules

    text = payload.strip()
    info = parse_qris(text)
    codes = {issue.code for issue in info.errors}
    if codes & UNREADABLE:
        raise QrisError("unreadable")
    if "crc" in codes:
        raise QrisError("bad_crc")
    if info.type != "static" or info.amount is not None:
        raise QrisError("not_static")
    if info.currency != RUPIAH:
        raise QrisError("not_rupiah")
    if not info.nmid:
        raise QrisError("no_merchant")
    if codes:  # a missing city, name or category: not a code a bank app would pay
        raise QrisError("unreadable")
    return StaticQris(text, info.merchant_name or "", info.merchant_city or "", info.nmid)


def dynamic_payload(static: str, amount: int, *, bill_number: str = "") -> str:
    """The payload paying ``amount`` rupiah to the static code's merchant: tag 01 "12", the
    amount in tag 54, no tip prompt, ``bill_number`` (ASCII, cut to 25) in tag 62 so the
    treasurer can match the transfer, and the CRC recomputed."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("a QRIS amount is a positive number of whole rupiah")
    from lokal.qris import parse_qris, qris_crc, set_qris_amount  # noqa: PLC0415

    info = parse_qris(set_qris_amount(read_static(static).payload, amount))
    fields = {f.tag: f.value for f in info.fields if f.tag not in {"55", "56", "57", "63"}}
    label = bill_number.encode("ascii", "ignore").decode()[:BILL_NUMBER_MAX].strip()
    if label:
        fields["62"] = _with_bill_number(info, label)
    body = "".join(_tlv(tag, fields[tag]) for tag in sorted(fields)) + "6304"
    return body + qris_crc(body)


def _with_bill_number(info: QrisInfo, label: str) -> str:
    """Tag 62's value with the bill number set and the code's other additional data kept."""
    current = next((f for f in info.fields if f.tag == "62"), None)
    children = {c.tag: c.value for c in (current.children or [])} if current else {}
    children["01"] = label
    return "".join(_tlv(tag, children[tag]) for tag in sorted(children))


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def same_merchant(a: str, b: str) -> bool:
    """Whether two payloads pay the same merchant: the same NMID, or (without one) the same
    merchant accounts."""
    from lokal.qris import parse_qris  # noqa: PLC0415

    return _merchant(parse_qris(a.strip())) == _merchant(parse_qris(b.strip()))


def _merchant(info: QrisInfo) -> tuple[str, ...]:
    if info.nmid:
        return (info.nmid,)
    return tuple(sorted(f"{acc.gui}|{acc.pan}|{acc.merchant_id}" for acc in info.accounts))
