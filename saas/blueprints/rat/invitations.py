"""Inviting the members: a WhatsApp link per member with a phone, ticked off once sent, and the
printed letters for members without one, one a page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.links import external_url
from saas.blueprints.rat.forms import ActionForm
from saas.blueprints.rat.views import bp, meeting_or_404, refusal
from saas.blueprints.reports.letterhead import statement_pdf
from saas.blueprints.reports.views import file_response
from saas.db import tenant_db
from saas.phones import whatsapp_number
from saas.rat import operations as rat
from saas.rat import queries
from saas.rat.models import Meeting, MeetingKind
from saas.registers.models import Letter


@dataclass(frozen=True)
class Invitation:
    invitee: queries.Invitee
    text: str
    whatsapp: str | None  # the wa.me link, for a member with a phone


def invitation_text(meeting: Meeting, invitee: queries.Invitee, number: str | None) -> str:
    """The invitation: the day, time, place, agenda and the member's own page of the meetings
    (called in Indonesian, the members' language)."""
    agenda = "\n".join(f"{i}. {item}" for i, item in enumerate(meeting.agenda_items, 1))
    when = {
        "cooperative": g.tenant.display_name,
        "year": meeting.book_year,
        "date": format_date(meeting.held_on, "full"),
        "time": format_time(meeting.starts_at, "HH.mm"),
        "place": meeting.place,
    }
    if meeting.kind == MeetingKind.EXTRAORDINARY:
        invites = _(
            "The board of %(cooperative)s invites you to the extraordinary members' meeting"
            " (RAT-LB) for book year %(year)s on %(date)s at %(time)s, at %(place)s.",
            **when,
        )
    else:
        invites = _(
            "The board of %(cooperative)s invites you to the annual members' meeting (RAT)"
            " for book year %(year)s on %(date)s at %(time)s, at %(place)s.",
            **when,
        )
    lines = [
        _(
            "Dear %(name)s (member number %(number)s),",
            name=invitee.name,
            number=invitee.number,
        ),
        invites,
        _("Agenda:"),
        agenda,
        _(
            "The meeting's schedule and its decisions: %(link)s",
            link=external_url(g.tenant, "rat.member_meetings"),
        ),
    ]
    if number:
        lines.append(_("Letter number %(number)s.", number=number))
    return "\n\n".join(lines)


def invitations(meeting: Meeting) -> tuple[list[Invitation], str | None]:
    session = tenant_db()
    letter = (
        session.get(Letter, meeting.invitation_letter_id) if meeting.invitation_letter_id else None
    )
    number = letter.number if letter is not None else None
    found = []
    with force_locale("id"):  # once for every member: switching the catalog costs
        for invitee in queries.list_invitees(session, meeting.id):
            text = invitation_text(meeting, invitee, number)
            link = (
                f"https://wa.me/{whatsapp_number(invitee.phone)}?text={quote(text)}"
                if invitee.phone
                else None
            )
            found.append(Invitation(invitee, text, link))
    return found, number


@bp.route("/kelola/rat/<int:meeting_id>/undangan")
@tenant_view(Permission.RUN_MEETINGS)
def invitations_page(meeting_id: int) -> str:
    found = meeting_or_404(meeting_id)
    rows, number = invitations(found)
    return render_template(
        "rat/invitations.html",
        meeting=found,
        by_whatsapp=[r for r in rows if r.whatsapp],
        on_paper=[r for r in rows if not r.whatsapp],
        letter_number=number,
        form=ActionForm(),
    )


@bp.route("/kelola/rat/<int:meeting_id>/undangan", methods=["POST"])
@tenant_view(Permission.RUN_MEETINGS)
def mark_invited(meeting_id: int) -> Response:
    found = meeting_or_404(meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ticked = [int(v) for v in request.form.getlist("member") if v.isdigit()][:100_000]
    try:
        added = rat.mark_invited(tenant_db(), found, ticked, user_id=current_user.id)
        tenant_db().commit()
    except rat.RatRefused as error:
        tenant_db().rollback()
        flash(refusal(error), "error")
        return redirect(url_for("rat.invitations_page", meeting_id=meeting_id))
    flash(_("%(count)s invitations ticked off as sent.", count=added), "success")
    return redirect(url_for("rat.invitations_page", meeting_id=meeting_id))


@bp.route("/kelola/rat/<int:meeting_id>/undangan.pdf")
@tenant_view(Permission.RUN_MEETINGS)
def invitation_letters(meeting_id: int) -> Response:
    """The printed invitations of the members without a phone, one a page."""
    found = meeting_or_404(meeting_id)
    rows, number = invitations(found)
    body = statement_pdf(
        "rat/invitations_pdf.html",
        meeting=found,
        letters=[r for r in rows if not r.whatsapp],
        letter_number=number,
    )
    return file_response(body, f"undangan-rat-{g.tenant.slug}-{found.book_year}.pdf")
