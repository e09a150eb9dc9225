"""QRIS payloads shaped like the ones banks print, built from their TLV fields with a true CRC."""

from __future__ import annotations

from lokal.qris import qris_crc

NMID = "ID1020021181745"
OTHER_NMID = "ID1023000000042"


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def static_payload(
    *,
    nmid: str = NMID,
    name: str = "KSP MAJU BERSAMA",
    city: str = "SLEMAN",
    currency: str = "360",
    initiation: str = "11",
    extra: str = "",
) -> str:
    """A merchant's printed code (tag 01 "11": the payer types the amount)."""
    account = (
        tlv("00", "ID.CO.QRIS.WWW")
        + tlv("01", "936000091234567890")
        + tlv("02", nmid)
        + tlv("03", "UMI")
    )
    body = (
        tlv("00", "01")
        + tlv("01", initiation)
        + tlv("51", account)
        + tlv("52", "5411")
        + tlv("53", currency)
        + extra
        + tlv("58", "ID")
        + tlv("59", name)
        + tlv("60", city)
        + tlv("61", "55281")
        + "6304"
    )
    return body + qris_crc(body)


def tampered(payload: str) -> str:
    """The payload with one character of the merchant's name changed and the old CRC kept."""
    return payload.replace("MAJU", "MAJO", 1)
