"""The attendance desk on a phone: a member's number or their card's QR code, typed, pasted or
scanned; the count against the quorum, refreshed while the page is open."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.member_cards import member_id_from_card
from saas.blueprints.rat.forms import ArrivalForm
from saas.blueprints.rat.views import bp, meeting_or_404, refusal
from saas.db import tenant_db
from saas.members import operations as members
from saas.members.models import Member
from saas.rat import operations as rat
from saas.rat import queries
from saas.rat.models import Meeting

NOT_FOUND = _l("No member has that number or card in this cooperative.")


def find_member(typed: str) -> Member | None:
    """The member a card's code (the whole address or its token) or a member number names."""
    typed = typed.strip()
    if (member_id := member_id_from_card(typed)) is not None:
        return members.get_member_for_tenant(tenant_db(), member_id)
    digits = typed.lstrip("#")
    if not digits.isdigit():
        return None
    for number in dict.fromkeys((digits, digits.zfill(4))):
        found = members.search_members(tenant_db(), number, limit=5)
        if exact := [m for m in found if m.number == number]:
            return exact[0]
    return None


def attendance_page(meeting: Meeting, form: ArrivalForm, status: int = 200) -> tuple[str, int]:
    session = tenant_db()
    return render_template(
        "rat/attendance.html",
        meeting=meeting,
        form=form,
        present=queries.present_count(session, meeting.id),
        arrivals=queries.list_arrivals(session, meeting.id),
    ), status


@bp.route("/kelola/rat/<int:meeting_id>/hadir")
@tenant_view(Permission.TAKE_ATTENDANCE)
def attendance(meeting_id: int) -> tuple[str, int]:
    return attendance_page(meeting_or_404(meeting_id), ArrivalForm(formdata=None))


@bp.route("/kelola/rat/<int:meeting_id>/hadir/jumlah")
@tenant_view(Permission.TAKE_ATTENDANCE)
def attendance_count(meeting_id: int) -> str:
    """The count against the quorum alone, for the page's periodic refresh."""
    found = meeting_or_404(meeting_id)
    return render_template(
        "rat/_count.html", meeting=found, present=queries.present_count(tenant_db(), found.id)
    )


@bp.route("/kelola/rat/<int:meeting_id>/hadir", methods=["POST"])
@tenant_view(Permission.TAKE_ATTENDANCE)
def arrive(meeting_id: int) -> Response | tuple[str, int]:
    found = meeting_or_404(meeting_id)
    form = ArrivalForm()
    if not form.validate_on_submit():
        return attendance_page(found, form, 422)
    member = find_member(form.member.data or "")
    if member is None:
        form.member.errors = [str(NOT_FOUND)]
        return attendance_page(found, form, 422)
    proxy_for = None
    if form.proxy_for.data:
        proxy_for = find_member(form.proxy_for.data)
        if proxy_for is None:
            form.proxy_for.errors = [str(NOT_FOUND)]
            return attendance_page(found, form, 422)
    try:
        rat.record_arrival(
            tenant_db(),
            found,
            member,
            proxy_for=proxy_for,
            now=clock.now(),
            user_id=current_user.id,
        )
        tenant_db().commit()
    except rat.RatRefused as error:
        tenant_db().rollback()
        field = form.proxy_for if error.code in ("no_proxies", "proxy_held") else form.member
        field.errors = [refusal(error)]
        return attendance_page(meeting_or_404(meeting_id), form, 422)
    flash(_("%(name)s (%(number)s) is present.", name=member.name, number=member.number), "success")
    return redirect(url_for("rat.attendance", meeting_id=meeting_id))
