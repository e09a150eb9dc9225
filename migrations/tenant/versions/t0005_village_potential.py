"""village potential

Revision ID: t0005
Revises: t0004
Create Date: 2026-11-22 09:30:07.134614
"""
from alembic import op
import sqlalchemy as sa


revision = 't0005'
down_revision = 't0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('profile', sa.Column('village_potential', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('profile', 'village_potential')
