"""The accounts for principal and mandatory savings counted as liabilities (redeemable member
shares), for the cooperatives that choose that classification

Revision ID: t0017
Revises: t0016
Create Date: 2026-11-29 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0017'
down_revision = 't0016'
branch_labels = None
depends_on = None

ACCOUNTS = {"2-191": "savings_pokok_other", "2-192": "savings_wajib_other"}


def upgrade() -> None:
    for code, role in ACCOUNTS.items():
        op.execute(
            sa.text(
                "INSERT INTO accounts (code, name, kind, parent_id, is_header, role, is_active,"
                " created_at)"
                # A cooperative's own account may hold the code already: then a code under it.
                " SELECT CASE WHEN EXISTS (SELECT 1 FROM accounts WHERE code = :code)"
                " THEN :code || '-01' ELSE :code END,"
                " NULL, 'liability', id, false, :role, true, now()"
                " FROM accounts WHERE code = '2'"
                " AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = :role)"
            ).bindparams(code=code, role=role)
        )


def downgrade() -> None:
    for code, role in ACCOUNTS.items():
        op.execute(
            sa.text(
                "DELETE FROM accounts WHERE role = :role"
                " AND NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.account_id = accounts.id)"
            ).bindparams(code=code, role=role)
        )
