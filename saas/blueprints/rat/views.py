"""The members' meeting (RAT): the list and the schedule, a meeting's page with its decisions,
opening and closing it, the RAT pack, and a member's own view of the meetings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.rat.forms import (
    KIND_LABELS,
    TOPIC_LABELS,
    ActionForm,
    DecisionForm,
    NewMeetingForm,
    ScheduleForm,
    default_agenda,
    with_new_key,
)
from saas.blueprints.registers.views import letter_code
from saas.blueprints.reports.views import file_response
from saas.blueprints.summary import refresh_summary_after_change
from saas.db import tenant_db
from saas.ledger import operations as ledger
from saas.rat import operations as rat
from saas.rat import queries
from saas.rat.models import Meeting, MeetingStatus, Topic
from saas.rat.pack import build_pack_pdf
from saas.registers.models import Kind

bp = Blueprint("rat", __name__)

REFUSALS = {
    "year_not_over": _l("The annual meeting of a book year is held after the year has ended."),
    "annual_exists": _l("That book year has its annual meeting already."),
    "already_open": _l("The meeting has opened already: its schedule no longer changes."),
    "closed": _l("The meeting is closed: nothing of it changes."),
    "not_open": _l("The meeting is not open."),
    "not_active": _l("Only active members attend the meeting."),
    "already_present": _l("That member is recorded as present already."),
    "no_proxies": _l("The bylaws of this meeting allow no proxies."),
    "proxy_held": _l("That member holds a proxy already: one each."),
    "no_quorum": _l(
        "The quorum is not reached: the meeting's decisions cannot be recorded as taken."
    ),
    "too_many_votes": _l("There are more votes than members present."),
    "already_decided": _l("The meeting has approved that already."),
    "no_shu_plan": _l("The book year has no SHU to share: close its books first, with a surplus."),
}
STATUS_LABELS = {
    MeetingStatus.SCHEDULED: _l("Scheduled"),
    MeetingStatus.OPEN: _l("In session"),
    MeetingStatus.CLOSED: _l("Closed"),
}


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "rat_kind_labels": KIND_LABELS,
        "rat_status_labels": STATUS_LABELS,
        "rat_topic_labels": TOPIC_LABELS,
    }


def refusal(error: rat.RatRefused) -> str:
    return str(REFUSALS.get(error.code, REFUSALS["closed"]))


def meeting_or_404(meeting_id: int) -> Meeting:
    meeting = queries.get_meeting_for_tenant(tenant_db(), meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def fresh_schedule() -> NewMeetingForm:
    """The form as first shown: last year's RAT, the usual agenda, a new key."""
    form = with_new_key(NewMeetingForm(formdata=None))
    today = clock.today()
    closed = ledger.closed_years(tenant_db())
    form.book_year.data = closed[0] if closed else today.year - 1
    form.held_on.data = today
    form.agenda.data = default_agenda()
    return form


def index_page(form: NewMeetingForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "rat/index.html",
        meetings=queries.list_meetings(tenant_db()),
        form=form or fresh_schedule(),
    ), status


@bp.route("/kelola/rat")
@tenant_view(Permission.OFFICER_AREA)
def index() -> tuple[str, int]:
    return index_page()


@bp.route("/kelola/rat/baru", methods=["POST"])
@tenant_view(Permission.RUN_MEETINGS)
def schedule() -> Response | tuple[str, int]:
    form = NewMeetingForm()
    if not form.validate_on_submit():
        return index_page(form, 422)
    try:
        meeting = rat.schedule_meeting(
            tenant_db(),
            form.schedule(),
            letter_code=letter_code(),
            today=clock.today(),
            user_id=current_user.id,
            idempotency_key=form.key.data,
        )
        tenant_db().commit()
    except rat.RatRefused as error:
        tenant_db().rollback()
        form.book_year.errors = [refusal(error)]
        return index_page(form, 422)
    flash(_("The meeting is scheduled."), "success")
    return redirect(url_for("rat.meeting", meeting_id=meeting.id))


def meeting_page(
    meeting: Meeting,
    *,
    edit: ScheduleForm | None = None,
    decision: DecisionForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = tenant_db()
    if edit is None:
        edit = ScheduleForm(formdata=None, obj=meeting)
        edit.quorum.data = f"{meeting.quorum_numerator}/{meeting.quorum_denominator}"
    return render_template(
        "rat/meeting.html",
        meeting=meeting,
        present=queries.present_count(session, meeting.id),
        decisions=queries.list_decisions(session, meeting.id),
        invitees=queries.list_invitees(session, meeting.id),
        edit=edit,
        decision=decision or with_new_key(DecisionForm(formdata=None)),
        action=ActionForm(),
        minutes_kind=Kind.MINUTES.value,
    ), status


@bp.route("/kelola/rat/<int:meeting_id>")
@tenant_view(Permission.OFFICER_AREA)
def meeting(meeting_id: int) -> tuple[str, int]:
    return meeting_page(meeting_or_404(meeting_id))


@bp.route("/kelola/rat/<int:meeting_id>/ubah", methods=["POST"])
@tenant_view(Permission.RUN_MEETINGS)
def reschedule(meeting_id: int) -> Response | tuple[str, int]:
    found = meeting_or_404(meeting_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return meeting_page(found, edit=form, status=422)
    try:
        rat.reschedule_meeting(tenant_db(), found, form.schedule())
        tenant_db().commit()
    except rat.RatRefused as error:
        tenant_db().rollback()
        form.book_year.errors = [refusal(error)]
        flash(refusal(error), "error")  # an open meeting's page shows no schedule form
        return meeting_page(meeting_or_404(meeting_id), edit=form, status=422)
    flash(_("The schedule is saved."), "success")
    return redirect(url_for("rat.meeting", meeting_id=meeting_id))


def act(meeting: Meeting, done: str, step: str) -> Response | tuple[str, int]:
    """Open or close the meeting (``step``), then back to its page with ``done`` or why not."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if step == "open":
            rat.open_meeting(tenant_db(), meeting, now=clock.now())
        else:
            rat.close_meeting(tenant_db(), meeting, now=clock.now(), user_id=current_user.id)
        tenant_db().commit()
    except rat.RatRefused as error:
        tenant_db().rollback()
        flash(refusal(error), "error")
        return meeting_page(meeting_or_404(meeting.id), status=422)
    flash(done, "success")
    return redirect(url_for("rat.meeting", meeting_id=meeting.id))


@bp.route("/kelola/rat/<int:meeting_id>/buka", methods=["POST"])
@tenant_view(Permission.RUN_MEETINGS)
def open_meeting(meeting_id: int) -> Response | tuple[str, int]:
    return act(meeting_or_404(meeting_id), _("The meeting is open: take the attendance."), "open")


@bp.route("/kelola/rat/<int:meeting_id>/tutup", methods=["POST"])
@tenant_view(Permission.RUN_MEETINGS)
def close_meeting(meeting_id: int) -> Response | tuple[str, int]:
    response = act(
        meeting_or_404(meeting_id),
        _("The meeting is closed and its minutes are in the book of minutes."),
        "close",
    )
    # The microsite and the national dashboard show the last RAT held.
    return refresh_summary_after_change(response) if isinstance(response, Response) else response


@bp.route("/kelola/rat/<int:meeting_id>/keputusan", methods=["POST"])
@tenant_view(Permission.RUN_MEETINGS)
def decide(meeting_id: int) -> Response | tuple[str, int]:
    found = meeting_or_404(meeting_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return meeting_page(found, decision=form, status=422)
    try:
        rat.record_decision(
            tenant_db(),
            found,
            topic=Topic(form.topic.data),
            title=form.wording(),
            votes=form.votes(),
            user_id=current_user.id,
            idempotency_key=form.key.data,
        )
        tenant_db().commit()
    except rat.RatRefused as error:
        tenant_db().rollback()
        form.topic.errors = [refusal(error)]
        return meeting_page(meeting_or_404(meeting_id), decision=form, status=422)
    flash(_("The decision is recorded."), "success")
    return redirect(url_for("rat.meeting", meeting_id=meeting_id))


@bp.route("/kelola/rat/<int:meeting_id>/paket.pdf")
@tenant_view(Permission.OFFICER_AREA)
def pack(meeting_id: int) -> Response:
    """The RAT pack: one PDF for the members and the officials."""
    found = meeting_or_404(meeting_id)
    body = build_pack_pdf(tenant_db(), found.id)
    return file_response(body, f"paket-rat-{g.tenant.slug}-{found.book_year}-{found.id}.pdf")


@bp.route("/anggota/rat")
@tenant_view(Permission.MEMBER_AREA)
def member_meetings() -> str:
    """A member's view: each meeting's date, place, agenda and, once decided, the outcome."""
    session = tenant_db()
    meetings = queries.list_meetings(session)
    return render_template(
        "rat/member.html",
        meetings=meetings,
        decisions={m.id: queries.list_decisions(session, m.id) for m in meetings[:5]},
    )
