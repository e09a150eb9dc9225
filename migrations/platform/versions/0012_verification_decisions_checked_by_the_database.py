"""The database refuses an approval that does not judge every item OK, and an approved
application without its verification date

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:00:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ITEMS = "'profile', 'legal', 'board', 'units', 'musdesus', 'akta', 'sk_ahu', 'npwp', 'nib', 'bank'"


def upgrade() -> None:
    op.create_check_constraint(
        op.f('ck_verification_applications_approved_is_verified'),
        'verification_applications',
        "status <> 'approved' OR verified_at IS NOT NULL",
    )
    op.create_check_constraint(
        op.f('ck_verification_events_approval_judges_every_item'),
        'verification_events',
        "action <> 'approved' OR (verdicts IS NOT NULL"
        f" AND verdicts::jsonb ?& ARRAY[{ITEMS}]"
        " AND NOT jsonb_path_exists(verdicts::jsonb, '$.* ? (!(@.ok == true))'))",
    )


def downgrade() -> None:
    op.drop_constraint(
        'ck_verification_events_approval_judges_every_item', 'verification_events', type_='check'
    )
    op.drop_constraint(
        'ck_verification_applications_approved_is_verified',
        'verification_applications',
        type_='check',
    )
