"""The cooperative's QRIS code: which printed codes are accepted, and the code with an amount."""

from __future__ import annotations

import pytest
from lokal.qris import parse_qris

from saas.payments.qris import QrisError, dynamic_payload, read_static, same_merchant
from tests.qris_codes import NMID, OTHER_NMID, static_payload, tampered


def refusal(payload: str) -> str:
    with pytest.raises(QrisError) as caught:
        read_static(payload)
    return caught.value.code


def test_a_printed_static_code_is_read_with_its_merchant():
    read = read_static(f"  {static_payload()}\n")
    assert read.payload == static_payload()
    assert (read.merchant_name, read.merchant_city, read.nmid) == (
        "KSP MAJU BERSAMA",
        "SLEMAN",
        NMID,
    )


def test_a_code_changed_after_its_crc_was_computed_is_refused():
    assert refusal(tampered(static_payload())) == "bad_crc"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("https://example.com/bayar", "unreadable"),
        (static_payload()[:40], "unreadable"),
        (static_payload(initiation="12"), "not_static"),
        (static_payload(currency="840"), "not_rupiah"),
        (static_payload(nmid=""), "no_merchant"),
    ],
)
def test_codes_that_cannot_be_the_cooperatives_are_refused_by_name(payload, code):
    assert refusal(payload) == code


def test_a_dynamic_code_made_from_a_bill_is_refused_as_the_static_one():
    assert refusal(dynamic_payload(static_payload(), 25_000)) == "not_static"


def test_the_dynamic_code_carries_the_exact_amount_with_a_true_crc():
    payload = dynamic_payload(static_payload(), 35_000, bill_number="12 W 11/2026-12/2026")
    info = parse_qris(payload)
    assert info.valid, info.errors
    assert (info.type, info.amount, info.nmid) == ("dynamic", "35000", NMID)
    assert info.additional is not None
    assert info.additional.bill_number == "12 W 11/2026-12/2026"
    assert same_merchant(payload, static_payload())


def test_the_dynamic_code_drops_the_tip_prompt_and_keeps_other_additional_data():
    static = static_payload(extra="5502016205" + "0701A")
    assert parse_qris(static).tip is not None
    info = parse_qris(dynamic_payload(static, 10_000, bill_number="7 W 12/2026"))
    assert info.valid, info.errors
    assert info.tip is None
    assert info.additional is not None
    assert (info.additional.bill_number, info.additional.terminal_label) == ("7 W 12/2026", "A")


def test_a_long_or_non_ascii_bill_number_is_cut_to_what_the_code_holds():
    info = parse_qris(
        dynamic_payload(static_payload(), 10_000, bill_number="Anggota Ñ " + "9" * 30)
    )
    assert info.valid, info.errors
    assert info.additional is not None
    assert info.additional.bill_number == ("Anggota  " + "9" * 30)[:25]


@pytest.mark.parametrize("amount", [0, -5_000, True])
def test_a_dynamic_code_needs_a_positive_whole_rupiah_amount(amount):
    with pytest.raises(ValueError, match="positive"):
        dynamic_payload(static_payload(), amount)


def test_codes_of_another_merchant_are_told_apart():
    assert not same_merchant(static_payload(), static_payload(nmid=OTHER_NMID))
    assert same_merchant(static_payload(), static_payload(name="KOPERASI MAJU", city="BANTUL"))
