"""members count in tenant summaries

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tenant_summaries', sa.Column('members', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('tenant_summaries', 'members')
