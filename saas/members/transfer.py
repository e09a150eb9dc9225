"""Members in and out of spreadsheets (Excel or CSV), free of Flask.

Import reads a sheet's header row and rows, maps columns to the register's fields (guessing the
usual Indonesian and English headings), checks every row as the form would (NIK structure and
uniqueness in the file and in the register, name, phone, date), and returns what would be
imported and why each refused row was refused. Export writes the register with each member's
savings balances.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from saas.members.models import Member, MemberStatus
from saas.members.rules import check_nik, mask_nik
from saas.phones import to_e164

FIELDS = ("nik", "name", "phone", "address", "village", "join_date")
REQUIRED_FIELDS = ("nik", "name")
MAX_ROWS = 10_000
HEADER_GUESSES = {
    "nik": ("nik", "no ktp", "nomor ktp", "no. ktp", "nomor induk kependudukan"),
    "name": ("nama", "nama lengkap", "name", "full name", "nama anggota"),
    "phone": ("hp", "no hp", "no. hp", "nomor hp", "telepon", "telp", "whatsapp", "wa", "phone"),
    "address": ("alamat", "address"),
    "village": ("desa", "kelurahan", "dusun", "village"),
    "join_date": ("tanggal masuk", "tgl masuk", "tanggal bergabung", "joined", "join date"),
}


class UnreadableFile(ValueError):
    """Not a spreadsheet this importer reads (``code``: not_a_sheet, empty, too_many_rows)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class RowResult:
    line: int  # the row's number in the file (the header is row 1)
    values: dict[str, object]
    errors: list[str] = field(default_factory=list)  # codes, translated by the page


def read_sheet(content: bytes) -> Sheet:
    """The first worksheet of an .xlsx file, or a CSV (comma or semicolon), as text cells."""
    rows = _xlsx_rows(content) if content[:4] == b"PK\x03\x04" else _csv_rows(content)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise UnreadableFile("empty")
    if len(rows) - 1 > MAX_ROWS:
        raise UnreadableFile("too_many_rows")
    width = len(rows[0])
    return Sheet(
        headers=[cell.strip() for cell in rows[0]],
        rows=[(row + [""] * width)[:width] for row in rows[1:]],
    )


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        from openpyxl import load_workbook  # noqa: PLC0415 - loaded when a file comes in

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("not_a_sheet") from exc
    sheet = book.worksheets[0]
    rows = [[_cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a NIK typed as a number (Excel shows 3,27E+15)
    return str(value)


# PDF, PNG, JPEG, GIF and the old binary .xls: never a CSV.
BINARY_STARTS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")


def _csv_rows(content: bytes) -> list[list[str]]:
    if content.startswith(BINARY_STARTS) or b"\x00" in content[:4096]:
        raise UnreadableFile("not_a_sheet")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UnreadableFile("not_a_sheet")
    if "\x00" in text:
        raise UnreadableFile("not_a_sheet")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """The column of each field, from the headers' usual names (None when not found)."""
    normal = [re.sub(r"\s+", " ", h.strip().lower()) for h in headers]
    mapping: dict[str, int | None] = {}
    for name in FIELDS:
        guesses = HEADER_GUESSES[name]
        mapping[name] = next((i for i, h in enumerate(normal) if h in guesses), None)
    return mapping


def check_rows(
    sheet: Sheet, mapping: dict[str, int | None], existing_niks: set[str], today: date
) -> list[RowResult]:
    """Every row as it would be imported, with the reasons a row would be refused."""
    results = []
    seen: set[str] = set()
    for offset, row in enumerate(sheet.rows):
        cell = {name: (row[i].strip() if i is not None else "") for name, i in mapping.items()}
        errors: list[str] = []
        nik = check_nik(cell["nik"], today=today)
        if not nik.valid:
            errors.append(f"nik_{nik.errors[0]}")
        elif nik.nik in existing_niks:
            errors.append("nik_registered")
        elif nik.nik in seen:
            errors.append("nik_twice")
        if not cell["name"]:
            errors.append("name_missing")
        elif len(cell["name"]) > 120:
            errors.append("name_too_long")
        phone = to_e164(cell["phone"]) if cell["phone"] else None
        if cell["phone"] and phone is None:
            errors.append("phone")
        joined = _parse_date(cell["join_date"]) if cell["join_date"] else today
        if joined is None or joined > today:
            errors.append("join_date")
        if nik.nik:
            seen.add(nik.nik)
        values: dict[str, object] = {
            "nik": nik.nik or cell["nik"],
            "name": " ".join(cell["name"].split()),
            "gender": nik.gender,
            "birth_date": nik.birth_date,
            "phone": phone,
            "address": cell["address"][:300] or None,
            "village": cell["village"][:120] or None,
            "join_date": joined,
        }
        results.append(RowResult(offset + 2, values, errors))
    return results


def _parse_date(text: str) -> date | None:
    """2026-11-02, 02/11/2026, 2-11-2026 or 02.11.2026 (day first, as written in Indonesia)."""
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


EXPORT_HEADERS = (
    "No. anggota",
    "Nama",
    "NIK",
    "L/P",
    "Tanggal lahir",
    "No. HP",
    "Alamat",
    "Desa",
    "Tanggal masuk",
    "Status",
    "Simpanan pokok",
    "Simpanan wajib",
    "Simpanan sukarela",
)


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (``=HYPERLINK(...)`` typed as a name)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(
    members: Iterable[Member], balances: dict[int, dict[str, int]], *, full_nik: bool
) -> Iterator[list[object]]:
    """The register as rows of cells (dates as dates, money as integers)."""
    for m in members:
        own = balances.get(m.id, {})
        yield [
            m.number,
            spreadsheet_text(m.name),
            m.nik if full_nik else mask_nik(m.nik),
            m.gender.value if m.gender else "",
            m.birth_date,
            m.phone or "",
            spreadsheet_text(m.address or ""),
            spreadsheet_text(m.village or ""),
            m.join_date,
            "aktif" if m.status == MemberStatus.ACTIVE else "keluar",
            own.get("pokok", 0),
            own.get("wajib", 0),
            own.get("sukarela", 0),
        ]


def to_xlsx(rows: Iterable[list[object]]) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - loaded when a file is asked for

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Anggota")
    sheet.append(list(EXPORT_HEADERS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: Iterable[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    for row in rows:
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
