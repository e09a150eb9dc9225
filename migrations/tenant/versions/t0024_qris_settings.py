"""The cooperative's static QRIS code, from which bills show a code with their amount

Revision ID: t0024
Revises: t0023
Create Date: 2026-12-05 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0024'
down_revision = 't0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'qris_settings',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('payload', sa.String(length=512), nullable=False),
        sa.Column('merchant_name', sa.String(length=25), nullable=False),
        sa.Column('merchant_city', sa.String(length=15), nullable=False),
        sa.Column('nmid', sa.String(length=40), nullable=False),
        sa.Column('set_by_id', sa.BigInteger(), nullable=False),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_qris_settings_single_row')),
        sa.CheckConstraint(
            "left(payload, 12) = '000201010211'", name=op.f('ck_qris_settings_static_payload')
        ),
        sa.CheckConstraint("nmid <> ''", name=op.f('ck_qris_settings_nmid_present')),
        sa.ForeignKeyConstraint(
            ['set_by_id'], ['users.id'],
            name=op.f('fk_qris_settings_set_by_id_users'), ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qris_settings')),
    )


def downgrade() -> None:
    op.drop_table('qris_settings')
