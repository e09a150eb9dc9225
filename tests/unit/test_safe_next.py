"""The way back after sign-in or a language change is always a path on the same host."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from saas.blueprints.auth.views import safe_next

HOST = "alpha.example.id"
# Pieces that have fooled redirect checks: browsers drop tabs and line breaks, read a backslash
# as a slash, and trim leading spaces and control characters.
TRICKY = st.sampled_from(
    [
        "/",
        "//",
        "\\",
        "\t",
        "\n",
        "\r",
        " ",
        "\x00",
        "\x0b",
        "evil.example",
        "@",
        ":",
        "%09",
        "http:",
        "https:",
        "javascript:",
        "?",
        "#",
        ".",
        "..",
        "kelola",
        "é",
    ]
)
TARGETS = st.one_of(st.text(), st.lists(TRICKY, max_size=8).map("".join))


def as_a_browser_reads(location: str) -> str:
    """What a browser makes of a Location header before resolving it (WHATWG URL parsing)."""
    trimmed = location.strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", trimmed).replace("\\", "/")


@given(TARGETS)
@example("/%09/evil.example")
@example("/\t/evil.example")
@example("/\\evil.example")
@example("/\r\n/evil.example")
def test_whatever_comes_in_what_goes_out_stays_on_the_host(target: str) -> None:
    way_back = safe_next(target)
    if way_back is None:
        return
    assert way_back.startswith("/")
    assert way_back.isascii()
    assert not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in way_back)
    resolved = urlsplit(urljoin(f"https://{HOST}/", as_a_browser_reads(way_back)))
    assert resolved.scheme == "https"
    assert resolved.netloc == HOST


@given(st.lists(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), min_size=1, max_size=4))
def test_an_ordinary_path_comes_back_unchanged(segments: list[str]) -> None:
    path = "/" + "/".join(segments) + "?next=1&q=sri"
    assert safe_next(path) == path


def test_other_hosts_and_schemes_are_refused() -> None:
    for target in ("//evil.example", "https://evil.example/", "javascript:alert(1)", "kelola"):
        assert safe_next(target) is None
