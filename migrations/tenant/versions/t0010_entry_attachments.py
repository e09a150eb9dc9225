"""entry attachments

Revision ID: t0010
Revises: t0009
Create Date: 2026-11-29 14:37:45.861648
"""
from alembic import op
import sqlalchemy as sa


revision = 't0010'
down_revision = 't0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entry_attachments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_entry_attachments_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_attachments'))
    )
    op.create_index(op.f('ix_entry_attachments_entry_id'), 'entry_attachments', ['entry_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_entry_attachments_entry_id'), table_name='entry_attachments')
    op.drop_table('entry_attachments')
