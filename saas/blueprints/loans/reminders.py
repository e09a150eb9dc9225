"""The instalments falling due this week and those overdue, each with a WhatsApp reminder the
officer sends to the borrower in one tap."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, render_template
from flask_babel import gettext as _

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.links import external_url
from saas.blueprints.loans.views import bp
from saas.blueprints.site.views import whatsapp_link
from saas.db import tenant_db
from saas.i18n import date_filter, rupiah_filter
from saas.loans import queries


@dataclass(frozen=True)
class ReminderLink:
    reminder: queries.Reminder
    link: str | None  # None: the member has no phone number


def reminder_text(reminder: queries.Reminder) -> str:
    """The message typed into the chat: the amount, the due date and the member's own page."""
    values = {
        "name": reminder.member.name,
        "number": reminder.loan.number,
        "amount": rupiah_filter(reminder.amount),
        "date": date_filter(reminder.due_date),
        "url": external_url(g.tenant, "member.loan", loan_id=reminder.loan.id),
    }
    if reminder.overdue:
        return _(
            "Hello %(name)s, the instalment of your loan %(number)s was due on %(date)s."
            " Please pay %(amount)s. Your loan: %(url)s",
            **values,
        )
    return _(
        "Hello %(name)s, the instalment of your loan %(number)s of %(amount)s falls due on"
        " %(date)s. Your loan: %(url)s",
        **values,
    )


@bp.route("/jatuh-tempo")
@tenant_view(Permission.OFFICER_AREA)
def reminders() -> str:
    """Every borrower owing an instalment within the week, the overdue first."""
    today = clock.today()
    rows = [
        ReminderLink(r, whatsapp_link(r.member.phone, reminder_text(r)) if r.member.phone else None)
        for r in queries.reminders(tenant_db(), today)
    ]
    return render_template(
        "loans/reminders.html", rows=rows, today=today, days=queries.REMINDER_DAYS
    )
