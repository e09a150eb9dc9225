"""self-registration of cooperatives; the village each tenant serves

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tenants', sa.Column('region_code', sa.String(length=13), nullable=True))
    op.create_index(op.f('ix_tenants_region_code'), 'tenants', ['region_code'], unique=False)
    op.create_table('registrations',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.Enum('draft', 'finished', name='registration_status'), nullable=False),
    sa.Column('step', sa.BigInteger(), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=True),
    sa.Column('same_village_tenant_id', sa.BigInteger(), nullable=True),
    sa.Column('cooperative_name', sa.String(length=200), nullable=True),
    sa.Column('slug', sa.String(length=40), nullable=True),
    sa.Column('sk_ahu_number', sa.String(length=100), nullable=True),
    sa.Column('sk_ahu_date', sa.Date(), nullable=True),
    sa.Column('npwp', sa.String(length=16), nullable=True),
    sa.Column('nib', sa.String(length=13), nullable=True),
    sa.Column('nik_koperasi', sa.String(length=20), nullable=True),
    sa.Column('officer_name', sa.String(length=120), nullable=True),
    sa.Column('officer_role', sa.Enum('ketua', 'wakil_ketua', 'sekretaris', 'bendahara', 'pengawas', 'staff', 'anggota', name='user_role', native_enum=False, length=20), nullable=True),
    sa.Column('officer_email', sa.String(length=254), nullable=True),
    sa.Column('officer_phone', sa.String(length=20), nullable=True),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['same_village_tenant_id'], ['tenants.id'], name=op.f('fk_registrations_same_village_tenant_id_tenants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_registrations_tenant_id_tenants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_registrations_public_id')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_registrations_tenant_id'))
    )
    op.create_index(op.f('ix_registrations_region_code'), 'registrations', ['region_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_registrations_region_code'), table_name='registrations')
    op.drop_table('registrations')
    op.execute("DROP TYPE IF EXISTS registration_status")
    op.drop_index(op.f('ix_tenants_region_code'), table_name='tenants')
    op.drop_column('tenants', 'region_code')
