"""The latest published book year's headline figures in the tenant summary

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 15:50:32.837155
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tenant_summaries', sa.Column('report_year', sa.SmallInteger(), nullable=True))
    op.add_column('tenant_summaries', sa.Column('report_assets', sa.BigInteger(), nullable=True))
    op.add_column('tenant_summaries', sa.Column('report_result', sa.BigInteger(), nullable=True))
    op.add_column('tenant_summaries', sa.Column('report_shu', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('tenant_summaries', 'report_shu')
    op.drop_column('tenant_summaries', 'report_result')
    op.drop_column('tenant_summaries', 'report_assets')
    op.drop_column('tenant_summaries', 'report_year')
