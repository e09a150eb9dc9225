"""microsite profile, board and units

Revision ID: t0002
Revises: t0001
Create Date: 2026-11-22 08:51:00.243423
"""
from alembic import op
import sqlalchemy as sa


revision = 't0002'
down_revision = 't0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('board_members',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('position', sa.Enum('ketua', 'wakil_ketua_usaha', 'wakil_ketua_anggota', 'sekretaris', 'bendahara', 'ketua_pengawas', 'anggota_pengawas', name='position', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('is_village_official', sa.Boolean(), nullable=False),
    sa.Column('is_related_to_board', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_members'))
    )
    op.create_table('business_units',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Enum('kantor', 'sembako', 'simpan_pinjam', 'klinik', 'apotek', 'gudang', 'logistik', 'lpg', 'pupuk', 'agen_bank', 'ppob', 'lainnya', name='unit_kind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('planned', 'running', name='unit_status', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('opening_hours', sa.String(length=120), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_units'))
    )
    op.create_table('profile',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('vision', sa.Text(), nullable=True),
    sa.Column('mission', sa.Text(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('postal_code', sa.String(length=5), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('whatsapp', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('sk_ahu_number', sa.String(length=100), nullable=True),
    sa.Column('sk_ahu_date', sa.Date(), nullable=True),
    sa.Column('npwp', sa.String(length=16), nullable=True),
    sa.Column('nib', sa.String(length=13), nullable=True),
    sa.Column('nik_koperasi', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_profile_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile'))
    )


def downgrade() -> None:
    op.drop_table('profile')
    op.drop_table('business_units')
    op.drop_table('board_members')
