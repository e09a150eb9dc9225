"""Pure rules: slugs, hosts, money, phones, passwords, tokens and log redaction."""

from __future__ import annotations

import json
import logging

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from saas.accounts.passwords import hash_password, password_problems, verify_password
from saas.accounts.roles import GRANTS, Permission, Role, role_can
from saas.accounts.tokens import TokenExpired, TokenInvalid, make_token, read_token
from saas.config import parse_shards
from saas.db import check_schema_name
from saas.i18n import format_rupiah
from saas.observability import JsonFormatter, redact
from saas.phones import to_e164, whatsapp_number
from saas.tenants.rules import SlugError, check_slug, split_host, subdomain_label, suggest_slug
from saas.verification.rules import item_fingerprints, unchanged_items


@pytest.mark.parametrize("slug", ["abc", "sukamaju", "desa-123", "a" * 40])
def test_good_slugs_pass(slug):
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "malformed"),
        ("a" * 41, "malformed"),
        ("Sukamaju", "malformed"),
        ("-abc", "malformed"),
        ("abc-", "malformed"),
        ("ab_c", "malformed"),
        ("a--b", "malformed"),
        ("www", "reserved"),
        ("static", "reserved"),
        ("api", "reserved"),
        ("mail", "reserved"),
    ],
)
def test_bad_slugs_fail_with_a_reason(slug, code):
    with pytest.raises(SlugError) as raised:
        check_slug(slug)
    assert raised.value.code == code


@pytest.mark.parametrize(
    "slug",
    [
        "abuse",  # RFC 2142 mailboxes
        "postmaster",
        "hostmaster",
        "noc",
        "autodiscover",  # looked up by mail clients and browsers on their own
        "autoconfig",
        "mta-sts",
        "wpad",
        "sso",
        "cpanel",
        "ns1",
        "ns9",
        "pop3",
        "smtp",
        "guyub",  # the platform's and the programme's own names
        "kodeindonesia",
        "merahputih",
        "simkopdes",
    ],
)
def test_mailbox_service_and_platform_names_are_reserved(slug):
    with pytest.raises(SlugError) as raised:
        check_slug(slug)
    assert raised.value.code == "reserved"


def test_slug_suggestion_drops_the_programme_prefix():
    assert suggest_slug("Koperasi Desa Merah Putih Sukamaju Jaya") == "sukamaju-jaya"
    assert suggest_slug("Kopérasi Ñ") == "koperasi-n"
    assert suggest_slug("KDMP X") == "x-kop"


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("Demo.Localhost:5000", "demo.localhost"),
        ("kopdes.id", "kopdes.id"),
        ("kopdes.id.", "kopdes.id"),
        ("bad_host", None),
        ("[::1]:80", None),
        ("a..b", None),
        ("", None),
        ("x" * 300, None),
    ],
)
def test_split_host(raw, host):
    assert split_host(raw) == host


def test_subdomain_label_is_one_label_under_the_base_domain():
    assert subdomain_label("demo.guyub.id", "guyub.id") == "demo"
    assert subdomain_label("a.b.guyub.id", "guyub.id") is None
    assert subdomain_label("guyub.id", "guyub.id") is None
    assert subdomain_label("demo.evilguyub.id", "guyub.id") is None


def test_schema_names_are_only_the_ones_we_generate():
    assert check_schema_name("kop_12") == "kop_12"
    for bad in ("public", "kop_1; drop schema public", 'kop_"x"', "KOP_1", "tenant"):
        with pytest.raises(ValueError, match="not a tenant schema name"):
            check_schema_name(bad)


@pytest.mark.parametrize(
    ("amount", "locale", "shown"),
    [
        (1234567, "id", "Rp1.234.567"),
        (1234567, "en", "Rp1,234,567"),
        (0, "id", "Rp0"),
        (-5000, "id", "-Rp5.000"),
        (10**12, "id", "Rp1.000.000.000.000"),
    ],
)
def test_rupiah_has_no_decimals_and_local_grouping(amount, locale, shown):
    assert format_rupiah(amount, locale) == shown


def test_money_must_be_integer_rupiah():
    with pytest.raises(TypeError):
        format_rupiah(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw", ["081234567890", "6281234567890", "+6281234567890", "0812-3456-7890"]
)
def test_phone_forms_normalise_to_e164(raw):
    assert to_e164(raw) == "+6281234567890"
    assert whatsapp_number(to_e164(raw)) == "6281234567890"


@pytest.mark.parametrize("raw", ["12345", "abc", "+1 202 555", ""])
def test_invalid_phones_are_none(raw):
    assert to_e164(raw) is None


def test_passwords_hash_with_argon2id_and_verify():
    hashed = hash_password("sawah-hijau-2026")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "sawah-hijau-2026")
    assert not verify_password(hashed, "sawah-hijau-2027")
    assert not verify_password(None, "anything")


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("short", ["too_short"]),
        ("password", ["common"]),
        ("bismillah", ["common"]),
        ("aaaaaaaaaaaa", ["common"]),
        ("sawah-hijau-2026", []),
    ],
)
def test_password_policy(password, problems):
    assert password_problems(password) == problems


def test_password_may_not_contain_the_users_name():
    assert password_problems("sawah-rahma-99", personal=("Siti Rahmawati",)) == []
    assert password_problems("rahmawati-99", personal=("Siti Rahmawati",)) == ["personal"]


def test_tokens_round_trip_and_refuse_tampering_and_age():
    token = make_token("k", "reset", {"uid": 1})
    assert read_token("k", "reset", token, 60) == {"uid": 1}
    with pytest.raises(TokenInvalid):
        read_token("other-key", "reset", token, 60)
    with pytest.raises(TokenInvalid):
        read_token("k", "invite", token, 60)  # another purpose
    with pytest.raises(TokenExpired):
        read_token("k", "reset", token, -1)


def test_roles_grant_what_the_domain_says():
    assert role_can(Role.BENDAHARA, Permission.POST_MONEY)
    assert not role_can(Role.PENGAWAS, Permission.POST_MONEY)  # supervisors read, never post
    assert role_can(Role.PENGAWAS, Permission.OFFICER_AREA)
    assert not role_can(Role.ANGGOTA, Permission.OFFICER_AREA)
    assert set(GRANTS) == set(Permission)


def test_shard_list_parses_and_defaults():
    assert parse_shards("", "postgresql://x/db") == {"main": "postgresql://x/db"}
    assert parse_shards("a=postgresql://h/1, b=postgresql://h/2", "") == {
        "a": "postgresql://h/1",
        "b": "postgresql://h/2",
    }
    with pytest.raises(ValueError, match="is not name=url"):
        parse_shards("nameless", "")


def test_logs_mask_nik_and_secrets():
    assert redact("NIK 3201234567890001 ok") == "NIK 320123********01 ok"
    assert "hunter2" not in redact("password=hunter2&x=1")
    assert "s3cr3t-value" not in redact('{"csrf_token": "s3cr3t-value"}')


def test_json_log_lines_carry_extras_and_are_redacted():
    record = logging.makeLogRecord(
        {
            "msg": "member %s",
            "args": ("3201234567890001",),
            "levelname": "INFO",
            "name": "t",
            "tenant": "alpha",
            "request_id": "abc",
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "member 320123********01"
    assert line["tenant"] == "alpha"
    assert line["request_id"] == "abc"


def review_content(**changes):
    content = {
        "profile": {"vision": "Sejahtera"},
        "legal": {"npwp": "0013000666091000"},
        "board": [],
        "units": [],
        "documents": {"npwp": {"id": 1, "key": "a.pdf"}, "akta": {"id": 2, "key": "b.pdf"}},
    }
    return content | changes


def test_only_a_change_to_a_returned_item_counts_as_its_fix():
    returned = {"npwp": item_fingerprints(review_content())["npwp"]}
    other_change = review_content(profile={"vision": "Baru"})
    assert unchanged_items(returned, item_fingerprints(other_change)) == ["npwp"]
    replaced = review_content(
        documents={"npwp": {"id": 3, "key": "c.pdf"}, "akta": {"id": 2, "key": "b.pdf"}}
    )
    assert unchanged_items(returned, item_fingerprints(replaced)) == []


def test_a_return_recorded_without_fingerprints_blocks_nothing():
    assert unchanged_items({"npwp": None}, item_fingerprints(review_content())) == []


@given(
    amount=st.integers(min_value=-(10**15), max_value=10**15), locale=st.sampled_from(["id", "en"])
)
def test_rupiah_are_grouped_as_the_locales_number_pattern_groups_them(amount, locale):
    """Formatted without Babel's pattern engine (statements show thousands of amounts), the
    same as CLDR's "#,##0" in each language."""
    digits = format_decimal(abs(amount), format="#,##0", locale=locale)
    assert format_rupiah(amount, locale) == f"{'-' if amount < 0 else ''}Rp{digits}"
