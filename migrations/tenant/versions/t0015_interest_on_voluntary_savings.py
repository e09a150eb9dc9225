"""Interest on voluntary savings: the rate, the monthly runs, the interest expense account and
the taxes payable role the runs post to.

Revision ID: t0015
Revises: t0014
Create Date: 2026-11-29 15:55:05.849114
"""
from alembic import op
import sqlalchemy as sa


revision = 't0015'
down_revision = 't0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('savings_interest_runs',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('rate_bp', sa.SmallInteger(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('tax', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('posted_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_savings_interest_runs_month_range')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_savings_interest_runs_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_savings_interest_runs_posted_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_savings_interest_runs')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_savings_interest_runs_entry_id')),
    sa.UniqueConstraint('year', 'month', name=op.f('uq_savings_interest_runs_year_month'))
    )
    op.add_column('savings_settings', sa.Column('sukarela_interest_bp', sa.SmallInteger(), server_default='0', nullable=False))
    op.execute(
        "UPDATE accounts SET role = 'taxes_payable' WHERE code = '2-104' AND role IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'taxes_payable')"
    )
    op.execute(
        "INSERT INTO accounts (code, name, kind, parent_id, is_header, role, is_active, created_at)"
        " SELECT '6-190', NULL, 'expense', id, false, 'savings_interest', true, now()"
        " FROM accounts WHERE code = '6'"
        " AND NOT EXISTS (SELECT 1 FROM accounts WHERE code = '6-190' OR role = 'savings_interest')"
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM accounts WHERE code = '6-190' AND role = 'savings_interest'"
        " AND NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.account_id = accounts.id)"
    )
    op.execute("UPDATE accounts SET role = NULL WHERE role IN ('taxes_payable', 'savings_interest')")
    op.drop_column('savings_settings', 'sukarela_interest_bp')
    op.drop_table('savings_interest_runs')
