"""The gerai's rules, free of Flask and the database: costs at moving average, receipt numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from saas.ledger.rules import LedgerError


class GeraiError(LedgerError):
    """A sale or stock change the rules refuse (``code``; ``details`` for the message)."""


@dataclass(frozen=True)
class CartLine:
    """A product and how many, or a free amount (``product_id`` None) with its description."""

    product_id: int | None
    quantity: int
    price: int = 0  # rupiah per unit: a free amount's; a product sells at its own price
    description: str = ""


def cost_of(on_hand: int, stock_value: int, quantity: int, unit_cost: int) -> int:
    """What ``quantity`` taken from stock costs at moving average (rupiah).

    Taking all of it takes all its value, so the inventory account and the products' stock
    values stay equal to the rupiah; beyond what is on hand (a unit that sells into negative
    stock), each missing item costs ``unit_cost``.
    """
    if on_hand <= 0 or stock_value <= 0:
        return quantity * unit_cost
    taken = min(quantity, on_hand)
    # Rounded half up; all that is on hand carries all its value.
    cost = stock_value if taken == on_hand else (2 * stock_value * taken + on_hand) // (2 * on_hand)
    return cost + (quantity - taken) * unit_cost


def merged(lines: Sequence[CartLine]) -> list[CartLine]:
    """The cart with each product once (its quantities added up), free amounts as they are."""
    out: list[CartLine] = []
    at: dict[int, int] = {}
    for line in lines:
        if line.product_id is None or line.product_id not in at:
            if line.product_id is not None:
                at[line.product_id] = len(out)
            out.append(line)
            continue
        first = out[at[line.product_id]]
        out[at[line.product_id]] = CartLine(first.product_id, first.quantity + line.quantity)
    return out


def sale_number(year: int, value: int) -> str:
    """``NJ-<year>-<number>`` with at least six digits (nota jual)."""
    return f"NJ-{year}-{value:06d}"
