"""Costs at moving average and the cart's merged lines, free of the database."""

from __future__ import annotations

from saas.gerai.rules import CartLine, cost_of, merged, sale_number


def test_part_of_the_stock_costs_its_share_of_the_value_rounded_half_up():
    assert cost_of(on_hand=3, stock_value=1_000, quantity=1, unit_cost=500) == 333
    assert cost_of(on_hand=3, stock_value=1_000, quantity=2, unit_cost=500) == 667


def test_taking_all_of_the_stock_takes_all_of_its_value():
    assert cost_of(on_hand=3, stock_value=1_000, quantity=3, unit_cost=500) == 1_000


def test_what_is_sold_beyond_the_stock_costs_the_products_cost_each():
    assert cost_of(on_hand=3, stock_value=1_000, quantity=5, unit_cost=400) == 1_800
    assert cost_of(on_hand=-2, stock_value=-800, quantity=1, unit_cost=400) == 400


def test_the_same_product_twice_in_the_cart_becomes_one_line_free_amounts_stay():
    cart = [CartLine(7, 2), CartLine(None, 1, 500, "x"), CartLine(7, 3), CartLine(None, 1, 500)]
    assert merged(cart) == [
        CartLine(7, 5),
        CartLine(None, 1, 500, "x"),
        CartLine(None, 1, 500),
    ]


def test_receipt_numbers_carry_the_year_and_six_digits():
    assert sale_number(2026, 42) == "NJ-2026-000042"
    assert sale_number(2026, 1_234_567) == "NJ-2026-1234567"
