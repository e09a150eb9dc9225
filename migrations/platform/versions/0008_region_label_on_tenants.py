"""region label on tenants

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 09:46:18.719890
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tenants', sa.Column('region_label', sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column('tenants', 'region_label')
