"""regions reference table (Kemendagri 2025)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('regions',
    sa.Column('code', sa.String(length=13), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('parent_code', sa.String(length=13), nullable=True),
    sa.Column('postal_code', sa.String(length=5), nullable=True),
    sa.Column('name_search', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_index('ix_regions_level_name_search', 'regions', ['level', 'name_search'], unique=False, postgresql_ops={'name_search': 'text_pattern_ops'})
    op.create_index(op.f('ix_regions_parent_code'), 'regions', ['parent_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_regions_parent_code'), table_name='regions')
    op.drop_index('ix_regions_level_name_search', table_name='regions')
    op.drop_table('regions')
