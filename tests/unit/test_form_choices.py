"""A select's options come from a mapping of values to labels: an enum member offers its
value, and a lazy label stays lazy until the page is rendered in its language."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice

from saas.blueprints.forms import choices_from


class Colour(enum.Enum):  # not a StrEnum: str() of a member would be "Colour.RED"
    RED = "merah"


def test_an_enum_member_offers_its_value_and_its_label_stays_lazy():
    [choice] = choices_from({Colour.RED: _l("Red")})
    assert isinstance(choice, SelectChoice)
    assert choice.value == "merah"
    assert isinstance(choice.label, LazyString)


def test_pairs_keep_their_order_and_offer_their_values_as_text():
    choices = choices_from((number, f"#{number}") for number in (3, 1, 2))
    assert [(c.value, c.label) for c in choices] == [("3", "#3"), ("1", "#1"), ("2", "#2")]
