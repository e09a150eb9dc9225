"""bills

Revision ID: t0012
Revises: t0011
Create Date: 2026-11-29 14:52:16.776788
"""
from alembic import op
import sqlalchemy as sa


revision = 't0012'
down_revision = 't0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bills',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Enum('pokok', 'wajib', 'sukarela', name='savings_kind', native_enum=False, length=20), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_bills_month_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bills')),
    sa.UniqueConstraint('kind', 'year', 'month', name=op.f('uq_bills_kind_year_month'))
    )
    op.create_table('bill_items',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('bill_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_bill_items_bill_id_bills'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_bill_items_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_bill_items_receipt_id_receipts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_items')),
    sa.UniqueConstraint('bill_id', 'member_id', name=op.f('uq_bill_items_bill_id_member_id')),
    sa.UniqueConstraint('receipt_id', name=op.f('uq_bill_items_receipt_id'))
    )
    op.create_index(op.f('ix_bill_items_member_id'), 'bill_items', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bill_items_member_id'), table_name='bill_items')
    op.drop_table('bill_items')
    op.drop_table('bills')
