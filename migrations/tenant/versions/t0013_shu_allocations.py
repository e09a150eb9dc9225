"""SHU allocations: the bylaws' split, each year's allocation and the members' shares; the
funds' accounts get the roles the allocation posts to.

Revision ID: t0013
Revises: t0012
Create Date: 2026-11-29 15:44:37.489000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 't0013'
down_revision = 't0012'
branch_labels = None
depends_on = None


FUND_ROLES = {
    "2-106": "fund_officers",
    "2-107": "fund_employees",
    "2-108": "fund_education",
    "2-109": "fund_social",
}


def upgrade() -> None:
    for code, role in FUND_ROLES.items():
        op.execute(
            sa.text(
                "UPDATE accounts SET role = :role WHERE code = :code AND role IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = :role)"
            ).bindparams(code=code, role=role)
        )
    op.create_table('shu_split',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('percentages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_shu_split_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shu_split'))
    )
    op.create_table('shu_allocations',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('shu', sa.BigInteger(), nullable=False),
    sa.Column('revenue', sa.BigInteger(), nullable=False),
    sa.Column('member_revenue', sa.BigInteger(), nullable=False),
    sa.Column('percentages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('funds', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('paid_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('posted_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_shu_allocations_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['paid_entry_id'], ['journal_entries.id'], name=op.f('fk_shu_allocations_paid_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_shu_allocations_posted_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shu_allocations')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_shu_allocations_entry_id')),
    sa.UniqueConstraint('paid_entry_id', name=op.f('uq_shu_allocations_paid_entry_id'))
    )
    op.create_index('uq_shu_allocations_live_year', 'shu_allocations', ['year'], unique=True, postgresql_where=sa.text('cancelled_at IS NULL'))
    op.create_table('shu_shares',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('allocation_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('transactions', sa.BigInteger(), nullable=False),
    sa.Column('savings', sa.BigInteger(), nullable=False),
    sa.Column('jasa_usaha', sa.BigInteger(), nullable=False),
    sa.Column('jasa_modal', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['shu_allocations.id'], name=op.f('fk_shu_shares_allocation_id_shu_allocations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_shu_shares_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shu_shares')),
    sa.UniqueConstraint('allocation_id', 'member_id', name=op.f('uq_shu_shares_allocation_id_member_id'))
    )
    op.create_index(op.f('ix_shu_shares_member_id'), 'shu_shares', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_shu_shares_member_id'), table_name='shu_shares')
    op.drop_table('shu_shares')
    op.drop_index('uq_shu_allocations_live_year', table_name='shu_allocations', postgresql_where=sa.text('cancelled_at IS NULL'))
    op.drop_table('shu_allocations')
    op.drop_table('shu_split')
    op.execute(
        sa.text("UPDATE accounts SET role = NULL WHERE role IN :roles").bindparams(
            sa.bindparam("roles", tuple(FUND_ROLES.values()), expanding=True)
        )
    )
