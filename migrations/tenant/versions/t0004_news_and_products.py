"""news and products

Revision ID: t0004
Revises: t0003
Create Date: 2026-11-22 09:22:59.623950
"""
from alembic import op
import sqlalchemy as sa


revision = 't0004'
down_revision = 't0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('news_posts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_posts'))
    )
    op.create_index(op.f('ix_news_posts_published_at'), 'news_posts', ['published_at'], unique=False)
    op.create_table('products',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('price', sa.BigInteger(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('seller', sa.String(length=120), nullable=True),
    sa.Column('is_available', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )


def downgrade() -> None:
    op.drop_table('products')
    op.drop_index(op.f('ix_news_posts_published_at'), table_name='news_posts')
    op.drop_table('news_posts')
