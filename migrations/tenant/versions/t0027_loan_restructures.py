"""Restructured loans: each new schedule's terms, reason and officer, kept as written

Revision ID: t0027
Revises: t0025
Create Date: 2026-12-05 15:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0027'
down_revision = 't0025'
branch_labels = None
depends_on = None

GUARDS = """
CREATE TRIGGER loan_restructures_kept BEFORE UPDATE OR DELETE ON {schema}.loan_restructures
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_schedule_kept();
"""


def upgrade() -> None:
    op.create_table('loan_restructures',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('loan_id', sa.BigInteger(), nullable=False),
    sa.Column('from_version', sa.SmallInteger(), nullable=False),
    sa.Column('to_version', sa.SmallInteger(), nullable=False),
    sa.Column('restructured_on', sa.Date(), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('instalments', sa.SmallInteger(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('to_version = from_version + 1', name=op.f('ck_loan_restructures_next_version')),
    sa.CheckConstraint('principal > 0 AND instalments BETWEEN 1 AND 1000', name=op.f('ck_loan_restructures_terms')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_restructures_loan_id_loans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loan_restructures_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_restructures')),
    sa.UniqueConstraint('loan_id', 'to_version', name=op.f('uq_loan_restructures_loan_id_to_version'))
    )
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(GUARDS.replace("{schema}.", f'"{schema}".'))


def downgrade() -> None:
    op.drop_table('loan_restructures')
