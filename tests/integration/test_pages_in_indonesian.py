"""Every page and form a person opens in Indonesian shows no English that the catalog
translates: labels, options and messages are translated when the page is rendered, not when a
module was imported."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.factories import login, text
from tests.integration.test_isolation import ROUTES, shared_values

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po"


def translated_sources() -> list[str]:
    """English msgids of two words or more that Indonesian says otherwise (no placeholders)."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id or not message.string or not isinstance(message.id, str):
            continue
        source, target = message.id.strip(), str(message.string).strip()
        if "%(" in source or "{" in source or "<" in source or source == target:
            continue
        if len(source.split()) >= 2:
            found.append(source)
    return found


SOURCES = translated_sources()
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    """The page's words as a person reads them (scripts, styles and tags removed)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


def english_on(page: str) -> list[str]:
    words = visible_text(page)
    return [source for source in SOURCES if " ".join(source.split()) in words]


def tenant_pages(app, tenants) -> list[str]:
    """The GET pages of tenant routes, with tenant A's objects."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or ROUTES[rule.endpoint] == "platform":
                continue
            if rule.endpoint in {"site.healthz", "site.robots", "site.sitemap", "site.photo"}:
                continue
            args = shared_values(rule.endpoint, tenants.a)
            if args is None:
                continue
            urls.append(rule.build(args, append_unknown=False)[1])  # type: ignore[index]
    return sorted(set(urls))


def test_the_catalog_has_sentences_to_look_for():
    assert len(SOURCES) > 300
    assert english_on("<option>Money went out (an expense)</option>") == [
        "Money went out (an expense)"
    ]


@pytest.mark.parametrize(
    "who",
    ["bambang@kopalpha.id", "ana@kopalpha.id", "dedi@kopalpha.id", "citra@kopalpha.id"],
)
def test_every_tenant_page_in_indonesian_shows_no_translated_english(app, client_for, tenants, who):
    client = client_for("alpha", lang="id")
    login(client, who)
    seen = 0
    found = {}
    for url in tenant_pages(app, tenants):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        seen += 1
        if english := english_on(text(response)):
            found[url] = english
    assert seen >= 3
    assert found == {}


def test_forms_answering_bad_input_in_indonesian_show_no_translated_english(client_for, tenants):
    client = client_for("alpha", lang="id")
    login(client, "bambang@kopalpha.id")
    page = text(client.get("/kelola/jurnal"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    refused = client.post(
        "/kelola/jurnal",
        data={"csrf_token": token, "entry_date": "kemarin", "amount": "abc"},
    )
    assert refused.status_code == 422
    assert english_on(text(refused)) == []
    # WTForms' own messages, which it ships in no Indonesian, come from our catalog.
    assert "Not a valid choice." not in text(refused)
    assert "Pilihan tidak sah." in text(refused)
