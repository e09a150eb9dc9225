"""photos and logo

Revision ID: t0006
Revises: t0005
Create Date: 2026-11-22 09:33:07.783405
"""
from alembic import op
import sqlalchemy as sa


revision = 't0006'
down_revision = 't0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('board_members', sa.Column('photo_key', sa.String(length=120), nullable=True))
    op.add_column('business_units', sa.Column('photo_key', sa.String(length=120), nullable=True))
    op.add_column('profile', sa.Column('logo_key', sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column('profile', 'logo_key')
    op.drop_column('business_units', 'photo_key')
    op.drop_column('board_members', 'photo_key')
