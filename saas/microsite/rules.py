"""What a complete profile needs, and the board rules we warn about. Pure functions."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

import nh3

from saas.microsite.models import (
    BoardMember,
    BusinessUnit,
    CooperativeProfile,
    Position,
    UnitKind,
)

PENGURUS = (
    Position.KETUA,
    Position.WAKIL_KETUA_USAHA,
    Position.WAKIL_KETUA_ANGGOTA,
    Position.SEKRETARIS,
    Position.BENDAHARA,
)
PENGAWAS = (Position.KETUA_PENGAWAS, Position.ANGGOTA_PENGAWAS)
REQUIRED_POSITIONS = (*PENGURUS, Position.KETUA_PENGAWAS)
MANDATED_UNITS = (
    UnitKind.KANTOR,
    UnitKind.SEMBAKO,
    UnitKind.SIMPAN_PINJAM,
    UnitKind.KLINIK,
    UnitKind.APOTEK,
    UnitKind.GUDANG,
    UnitKind.LOGISTIK,
)
REQUIRED_DOCUMENTS = ("musdesus", "akta", "sk_ahu", "npwp", "nib", "bank")
PROFILE_FIELDS = ("vision", "mission", "address", "latitude", "longitude", "whatsapp")
LEGAL_FIELDS = ("sk_ahu_number", "sk_ahu_date", "npwp", "nib")


@dataclass(frozen=True)
class ChecklistItem:
    """One thing verification needs; ``code`` names it, ``done`` says whether it is there."""

    code: str
    done: bool
    detail: str = ""


def board_warnings(members: list[BoardMember]) -> list[tuple[str, str]]:
    """(code, name) pairs for the Juklak rules: warn, don't block."""
    warnings: list[tuple[str, str]] = []
    pengurus = [m for m in members if m.position in PENGURUS]
    for member in pengurus:
        if member.is_village_official:
            warnings.append(("village_official", member.name))
        if member.is_related_to_board:
            warnings.append(("related", member.name))
    names = Counter(" ".join(m.name.lower().split()) for m in pengurus)
    for member in pengurus:
        if names[" ".join(member.name.lower().split())] > 1:
            warnings.append(("two_positions", member.name))
            names[" ".join(member.name.lower().split())] = 0
    counts = Counter(m.position for m in members)
    for position in (*PENGURUS, Position.KETUA_PENGAWAS):
        if counts[position] > 1:
            warnings.append(("position_twice", position.value))
    return warnings


def profile_checklist(
    profile: CooperativeProfile | None,
    members: list[BoardMember],
    units: list[BusinessUnit],
    *,
    document_kinds: set[str],
    email_confirmed: bool,
) -> list[ChecklistItem]:
    """Everything verification looks at, in the order an officer fills it in."""
    present = {m.position for m in members}
    missing_positions = [p.value for p in REQUIRED_POSITIONS if p not in present]
    described = [u for u in units if u.description]
    missing_documents = [kind for kind in REQUIRED_DOCUMENTS if kind not in document_kinds]
    return [
        ChecklistItem("email_confirmed", email_confirmed),
        ChecklistItem("profile", profile is not None and _filled(profile, PROFILE_FIELDS)),
        ChecklistItem("legal", profile is not None and _filled(profile, LEGAL_FIELDS)),
        ChecklistItem("board", not missing_positions, ",".join(missing_positions)),
        ChecklistItem("units", bool(described)),
        ChecklistItem("documents", not missing_documents, ",".join(missing_documents)),
    ]


NEWS_TAGS = {"p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "a", "h3", "blockquote"}


def sanitize_news_body(text: str) -> str:
    """Safe HTML for a news post: a few formatting tags, links to http(s) only, no script.

    Plain text (what officers type on a phone) is escaped and becomes paragraphs; text that
    starts with a tag is taken as pasted HTML and cleaned.
    """
    if not text.lstrip().startswith("<"):
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        text = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=NEWS_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )


def _filled(profile: CooperativeProfile, fields: tuple[str, ...]) -> bool:
    return all(getattr(profile, name) not in (None, "") for name in fields)


def completeness(items: list[ChecklistItem]) -> int:
    """Percent of checklist items done (0-100)."""
    return round(100 * sum(item.done for item in items) / len(items)) if items else 0
