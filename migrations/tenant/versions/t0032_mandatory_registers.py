"""The mandatory registers: the books' entries and the letters, outgoing letters numbered without
gaps per year; records of fact and letters kept as written

Revision ID: t0032
Revises: t0031
Create Date: 2026-12-05 18:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0032'
down_revision = 't0031'
branch_labels = None
depends_on = None

GUARDS = """
CREATE FUNCTION {schema}.register_record_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a register''s record is never changed: record a correction'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER register_entries_kept BEFORE UPDATE OR DELETE ON {schema}.register_entries
    FOR EACH ROW WHEN (OLD.kind NOT IN ('karyawan', 'inventaris'))
    EXECUTE FUNCTION {schema}.register_record_kept();
CREATE TRIGGER register_entries_truncate BEFORE TRUNCATE ON {schema}.register_entries
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.register_record_kept();
CREATE TRIGGER letters_kept BEFORE UPDATE OR DELETE ON {schema}.letters
    FOR EACH ROW EXECUTE FUNCTION {schema}.register_record_kept();
CREATE TRIGGER letters_truncate BEFORE TRUNCATE ON {schema}.letters
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.register_record_kept();
"""


def upgrade() -> None:
    op.create_table('register_entries',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Enum('karyawan', 'inventaris', 'tamu', 'notulen', 'catatan-pengawas', 'anjuran-pejabat', 'peristiwa-penting', 'saran', name='register_kind', native_enum=False, length=20), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('body', sa.String(length=2000), nullable=True),
    sa.Column('outcome', sa.String(length=2000), nullable=True),
    sa.Column('corrects_id', sa.BigInteger(), nullable=True),
    sa.Column('recorded_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_register_entries_amount_not_negative')),
    sa.CheckConstraint('count >= 0', name=op.f('ck_register_entries_count_not_negative')),
    sa.ForeignKeyConstraint(['corrects_id'], ['register_entries.id'], name=op.f('fk_register_entries_corrects_id_register_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_register_entries_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_entries')),
    sa.UniqueConstraint('corrects_id', name=op.f('uq_register_entries_corrects_id'))
    )
    op.create_index('ix_register_entries_kind_date', 'register_entries', ['kind', 'entry_date', 'id'], unique=False)
    op.create_table('letters',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('direction', sa.Enum('in', 'out', name='letter_direction', native_enum=False, length=20), nullable=False),
    sa.Column('letter_date', sa.Date(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('counterpart', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=2000), nullable=False),
    sa.Column('corrects_id', sa.BigInteger(), nullable=True),
    sa.Column('recorded_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction = 'in' OR (year IS NOT NULL AND sequence IS NOT NULL)", name=op.f('ck_letters_outgoing_numbered')),
    sa.ForeignKeyConstraint(['corrects_id'], ['letters.id'], name=op.f('fk_letters_corrects_id_letters'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_letters_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters')),
    sa.UniqueConstraint('corrects_id', name=op.f('uq_letters_corrects_id')),
    sa.UniqueConstraint('year', 'sequence', name=op.f('uq_letters_year_sequence'))
    )
    op.create_index('ix_letters_direction_date', 'letters', ['direction', 'letter_date', 'id'], unique=False)
    op.create_index('uq_letters_outgoing_number', 'letters', ['number'], unique=True, postgresql_where=sa.text("direction = 'out'"))

    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(GUARDS.replace("{schema}", f'"{schema}"').replace("%", "%%"))


def downgrade() -> None:
    op.drop_table('letters')
    op.drop_table('register_entries')
    op.execute("DROP FUNCTION register_record_kept()")
    op.execute("DELETE FROM counters WHERE name LIKE 'surat-keluar-%'")
