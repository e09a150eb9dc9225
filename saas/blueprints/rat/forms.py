"""The members' meeting's forms: the schedule, an arrival, a decision and the plain buttons."""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from saas.blueprints.forms import REQUIRED, Form, choices_from, valid_key, within_calendar
from saas.rat.models import AGENDA_LENGTH, PLACE_LENGTH, TITLE_LENGTH, MeetingKind, Topic
from saas.rat.operations import Schedule, Votes

KIND_LABELS = {
    MeetingKind.ANNUAL: _l("Annual members' meeting (RAT)"),
    MeetingKind.EXTRAORDINARY: _l("Extraordinary members' meeting (RAT-LB)"),
}
TOPIC_LABELS = {
    Topic.STATEMENTS: _l("Approve the annual statements and the board's accountability report"),
    Topic.SHU: _l("Approve the SHU split"),
    Topic.OFFICERS: _l("Officer and supervisor changes"),
    Topic.WORK_PLAN: _l("Next year's work plan and budget (RAPB)"),
    Topic.OTHER: _l("Other matters"),
}
# The bylaws' quorum: more than this share of the members entitled to attend.
QUORUM_LABELS = {
    "1/2": _l("More than half of the members"),
    "2/3": _l("More than two thirds of the members"),
    "3/4": _l("More than three quarters of the members"),
}
DEFAULT_AGENDA = (
    _l("Opening"),
    _l("The board's accountability report for the book year"),
    _l("The supervisors' report"),
    _l("The annual financial statements"),
    _l("The split of the SHU"),
    _l("Officer and supervisor changes"),
    _l("Next year's work plan and budget (RAPB)"),
    _l("Other matters"),
    _l("Closing"),
)
MOST_VOTES = 1_000_000


def default_agenda() -> str:
    """The usual agenda of a RAT, one item a line, in the page's language."""
    return "\n".join(str(item) for item in DEFAULT_AGENDA)


class ScheduleForm(Form):
    kind = SelectField(
        _l("Meeting"),
        choices=choices_from(KIND_LABELS),
        default=MeetingKind.ANNUAL.value,
    )
    book_year = IntegerField(
        _l("Book year"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(2000, 2100, message=_l("Enter a book year, like 2025.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    held_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), within_calendar]
    )
    starts_at = TimeField(_l("Time"), validators=[DataRequired(message=_l("Enter the time."))])
    place = StringField(
        _l("Place"), validators=[DataRequired(message=REQUIRED), Length(max=PLACE_LENGTH)]
    )
    agenda = TextAreaField(
        _l("Agenda, one item a line"),
        validators=[DataRequired(message=REQUIRED), Length(max=AGENDA_LENGTH)],
        render_kw={"rows": 10},
    )
    quorum = SelectField(
        _l("Quorum in the bylaws"), choices=choices_from(QUORUM_LABELS), default="1/2"
    )
    proxies_allowed = BooleanField(
        _l("The bylaws allow a member to attend for another (one proxy each)")
    )

    def schedule(self) -> Schedule:
        numerator, denominator = (int(part) for part in str(self.quorum.data).split("/"))
        assert self.held_on.data is not None
        assert self.starts_at.data is not None
        return Schedule(
            kind=MeetingKind(self.kind.data),
            book_year=int(self.book_year.data or 0),
            held_on=self.held_on.data,
            starts_at=self.starts_at.data,
            place=(self.place.data or "").strip(),
            agenda=(self.agenda.data or "").strip(),
            quorum_numerator=numerator,
            quorum_denominator=denominator,
            proxies_allowed=bool(self.proxies_allowed.data),
        )


class NewMeetingForm(ScheduleForm):
    """The schedule of a new meeting, made once however often the form is sent."""

    key = HiddenField(validators=[valid_key])


class ArrivalForm(Form):
    member = StringField(
        _l("Member number or member card code"),
        validators=[DataRequired(message=REQUIRED), Length(max=500)],
        render_kw={
            "autocomplete": "off",
            "autofocus": True,
            "data-scan": "qr_code",
            "inputmode": "text",
        },
    )
    proxy_for = StringField(
        _l("Also holds the proxy of (member number or card code)"),
        validators=[Optional(), Length(max=500)],
        render_kw={"autocomplete": "off", "data-scan": "qr_code"},
    )


class DecisionForm(Form):
    topic = SelectField(_l("Decision"), choices=choices_from(TOPIC_LABELS))
    title = StringField(_l("Wording (optional)"), validators=[Optional(), Length(max=TITLE_LENGTH)])
    votes_for = IntegerField(_l("For"), validators=[InputRequired(message=REQUIRED)])
    votes_against = IntegerField(_l("Against"), validators=[InputRequired(message=REQUIRED)])
    votes_abstain = IntegerField(_l("Abstained"), validators=[InputRequired(message=REQUIRED)])
    key = HiddenField(validators=[valid_key])  # recorded once however often the form is sent

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("votes_for", "votes_against", "votes_abstain"):
            self[name].validators.append(
                NumberRange(0, MOST_VOTES, message=_l("Enter a whole number of votes."))
            )
            self[name].render_kw = {"inputmode": "numeric", "min": 0}

    def votes(self) -> Votes:
        return Votes(
            int(self.votes_for.data or 0),
            int(self.votes_against.data or 0),
            int(self.votes_abstain.data or 0),
        )

    def wording(self) -> str:
        """What the members voted on: as typed, else the topic in the cooperative's language
        (the minutes are kept in it)."""
        typed = (self.title.data or "").strip()
        if typed:
            return typed
        with force_locale("id"):
            return str(TOPIC_LABELS[Topic(self.topic.data)])


KeyedForm = TypeVar("KeyedForm", NewMeetingForm, DecisionForm)


def with_new_key(form: KeyedForm) -> KeyedForm:
    """The form as first shown, with the key that makes what it records once."""
    form.key.data = str(uuid.uuid4())
    return form


class ActionForm(Form):
    """A button that changes the meeting: only its CSRF token."""
