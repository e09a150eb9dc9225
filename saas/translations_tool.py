"""Catalog upkeep for ``make translations`` and the catalog tests.

English is the source language of the message ids, so the English catalog is filled with the ids
themselves where a translator has not written something else; Indonesian must be translated.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from saas.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def catalog_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def fill_english() -> int:
    path = catalog_path("en")
    catalog = load(path, "en")
    filled = 0
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or all(strings):
            continue
        message.string = message.id  # a plural's id is the (singular, plural) pair it needs
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    return filled


def extract_fresh() -> Catalog:
    """What ``make translations`` would extract now."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "messages.pot"
        subprocess.run(  # noqa: S603 - our own venv's pybabel with fixed arguments
            [
                str(Path(sys.executable).with_name("pybabel")),
                "-q",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-k",
                "lazy_ngettext:1,2",
                "--no-location",
                "-o",
                str(target),
                ".",
            ],
            cwd=PROJECT_ROOT,
            check=True,
        )
        return load(target)


def message_ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def incomplete_entries(locale: str) -> list[str]:
    """Ids that are untranslated or fuzzy in the locale's catalog."""
    problems = []
    for message in load(catalog_path(locale), locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(str(message.id))
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["fill-english"]:
        print(f"filled {fill_english()} English entries", file=sys.stderr)
    else:
        sys.exit("usage: python -m saas.translations_tool fill-english")
