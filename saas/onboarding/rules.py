"""Legal identifiers of a cooperative. Pure functions: no Flask, no database."""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

NON_DIGITS = re.compile(r"[\s.\-/]")
SK_AHU_RE = re.compile(r"^[A-Za-z0-9 .\-/]{6,100}$")


class IdentifierError(ValueError):
    """Why an identifier is refused; ``code`` names the rule."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_npwp(raw: str) -> str:
    """The 16-digit NPWP of an entity ('0' + the old 15 digits), check digit verified."""
    digits = NON_DIGITS.sub("", raw.strip())
    if not digits.isdigit() or len(digits) not in (15, 16):
        raise IdentifierError("npwp_length")
    if len(digits) == 15:
        digits = "0" + digits
    if not digits.startswith("0"):
        raise IdentifierError("npwp_personal")  # a NIK: a person's NPWP, not the cooperative's
    try:
        stdnum_npwp.validate(digits)
    except StdnumError as exc:
        raise IdentifierError("npwp_checksum") from exc
    return digits


def format_npwp(digits16: str) -> str:
    """``0XX.XXX.XXX.X-XXX.XXX`` as printed on the card (the 15-digit layout after the 0)."""
    d = digits16[1:]
    return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"


def normalise_nib(raw: str) -> str:
    """The 13-digit Nomor Induk Berusaha from OSS."""
    digits = NON_DIGITS.sub("", raw.strip())
    if not digits.isdigit() or len(digits) != 13:
        raise IdentifierError("nib_length")
    return digits


def normalise_sk_ahu(raw: str) -> str:
    """An SK AHU number as written (AHU-0001234.AH.01.29.TAHUN 2025), whitespace tidied."""
    text = " ".join(raw.split())
    if not SK_AHU_RE.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise IdentifierError("sk_ahu_format")
    return text.upper()


def normalise_nik_koperasi(raw: str) -> str:
    """Nomor Induk Koperasi: kept as a string (13-16 digits seen in the field)."""
    digits = NON_DIGITS.sub("", raw.strip())
    if not digits.isdigit() or not 10 <= len(digits) <= 20:
        raise IdentifierError("nik_koperasi_format")
    return digits


def suggest_cooperative_name(village_name: str, kind: str) -> str:
    """The programme's naming: Koperasi Desa/Kelurahan Merah Putih <village>."""
    word = "Kelurahan" if kind == "kelurahan" else "Desa"
    return f"Koperasi {word} Merah Putih {village_name}"
