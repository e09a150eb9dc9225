"""news and product photos

Revision ID: t0007
Revises: t0006
Create Date: 2026-11-29 13:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0007'
down_revision = 't0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('news_photos',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('photo_key', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['news_posts.id'], name=op.f('fk_news_photos_post_id_news_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_photos'))
    )
    op.create_index(op.f('ix_news_photos_post_id'), 'news_photos', ['post_id'], unique=False)
    op.add_column('products', sa.Column('photo_key', sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column('products', 'photo_key')
    op.drop_index(op.f('ix_news_photos_post_id'), table_name='news_photos')
    op.drop_table('news_photos')
