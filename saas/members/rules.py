"""The register's rules, free of Flask and the database: NIK checks, masking, numbering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from saas.members.models import Gender

# lokal-id's issue codes, kept as ours: the forms translate each one.
NIK_ERRORS = ("format", "province", "wilayah", "birth_date", "serial")


@dataclass(frozen=True)
class NikCheck:
    """A NIK read by its structure: region (6) + birth date (women: day + 40) + serial (4)."""

    nik: str | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gender: Gender | None = None
    birth_date: date | None = None
    region: str | None = None  # "Kota Bandung, Sukasari" when the code is current

    @property
    def valid(self) -> bool:
        return not self.errors


def check_nik(raw: str, *, today: date | None = None) -> NikCheck:
    """Validate a NIK; an unknown region code (from before a split) is a warning, not an error."""
    # lokal compiles some 200 patterns as it is first imported (a fifth of a second): the web
    # server's master imports it before forking (gunicorn.conf.py), a command when it reads one.
    from lokal.nik import parse_nik  # noqa: PLC0415
    from lokal.wilayah import wilayah_name  # noqa: PLC0415

    info = parse_nik(raw, lookup_wilayah=wilayah_name, reference_date=today)
    errors = [issue.code if issue.code in NIK_ERRORS else "format" for issue in info.errors]
    warnings = [issue.code for issue in info.warnings]
    if errors:
        return NikCheck(info.nik, errors, warnings)
    birth = date.fromisoformat(info.birth_date) if info.birth_date else None
    if birth is not None and today is not None and birth > today:
        return NikCheck(info.nik, ["birth_date"], warnings)
    region = ", ".join(part for part in (info.regency, info.district) if part) or None
    gender = Gender.FEMALE if info.gender == "P" else Gender.MALE
    return NikCheck(info.nik, [], warnings, gender, birth, region)


def mask_nik(nik: str | None) -> str:
    """``3273••••••••0001``: enough to tell members apart in a list, not enough to misuse."""
    if not nik:
        return ""
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:]


def member_number(sequence: int) -> str:
    """The n-th member's number, zero-padded to four digits (``0007``, ``12345``)."""
    return f"{sequence:04d}"
