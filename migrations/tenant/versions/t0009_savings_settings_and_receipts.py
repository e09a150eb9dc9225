"""savings settings and receipts

Revision ID: t0009
Revises: t0008
Create Date: 2026-11-29 14:31:29.295928
"""
from alembic import op
import sqlalchemy as sa


revision = 't0009'
down_revision = 't0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('savings_settings',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('pokok_amount', sa.BigInteger(), nullable=False),
    sa.Column('wajib_amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_savings_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_savings_settings'))
    )
    op.create_table('receipts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('pokok', 'wajib', 'sukarela', name='savings_kind', native_enum=False, length=20), nullable=False),
    sa.Column('method', sa.Enum('cash', 'qris', 'transfer', name='payment_method', native_enum=False, length=20), nullable=False),
    sa.Column('is_withdrawal', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('officer_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_receipts_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_receipts_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_receipts_entry_id')),
    sa.UniqueConstraint('number', name=op.f('uq_receipts_number'))
    )
    op.create_index(op.f('ix_receipts_member_id'), 'receipts', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_receipts_member_id'), table_name='receipts')
    op.drop_table('receipts')
    op.drop_table('savings_settings')
