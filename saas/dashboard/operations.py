"""Keeping a tenant's summary row current (called after its officers change content; the
caller commits)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from saas.dashboard.models import TenantSummary
from saas.microsite.queries import PublicPage


def refresh_tenant_summary(platform: Session, tenant_id: int, page: PublicPage) -> None:
    """Upsert the summary from the tenant's public page, in one statement."""
    values = {
        "tenant_id": tenant_id,
        "content_updated_at": page.last_updated,
        "running_units": page.running_units,
        "members": page.members,
        "completeness": page.completeness,
        "report_year": page.report.year if page.report else None,
        "report_assets": page.report.total_assets if page.report else None,
        "report_result": page.report.result if page.report else None,
        "report_shu": page.report.shu if page.report else None,
        "rat_year": page.rat.book_year if page.rat else None,
        "rat_held_on": page.rat.held_on if page.rat else None,
        "refreshed_at": datetime.now(UTC),
    }
    statement = insert(TenantSummary).values(values)
    platform.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={key: statement.excluded[key] for key in values if key != "tenant_id"},
        )
    )
    platform.flush()
