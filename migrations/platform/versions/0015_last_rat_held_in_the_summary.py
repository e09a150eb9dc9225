"""The last annual members' meeting (RAT) held, in the tenant summary

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tenant_summaries', sa.Column('rat_year', sa.SmallInteger(), nullable=True))
    op.add_column('tenant_summaries', sa.Column('rat_held_on', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('tenant_summaries', 'rat_held_on')
    op.drop_column('tenant_summaries', 'rat_year')
