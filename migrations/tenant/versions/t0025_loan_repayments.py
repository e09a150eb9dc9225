"""Loan repayments with their receipts and how each was split over the instalments, kept as
written; each loan's collectibility as the daily job last assessed it, the cooperative's
arrears thresholds and PPAP percentages, and each month's PPAP run

Revision ID: t0025
Revises: t0024
Create Date: 2026-12-05 15:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = 't0025'
down_revision = 't0024'
branch_labels = None
depends_on = None

ARREARS_DAYS = ''''{"monthly": [90, 180, 360], "weekly": [30, 60, 90], "daily": [30, 60, 90]}'::jsonb'''
PPAP_BP = ''''{"lancar": 50, "kurang_lancar": 1000, "diragukan": 5000, "macet": 10000}'::jsonb'''

GUARDS = """
CREATE FUNCTION {schema}.loan_repayment_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a loan payment is never changed: reverse its entry'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER loan_repayments_kept BEFORE UPDATE OR DELETE ON {schema}.loan_repayments
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_repayment_kept();
CREATE TRIGGER loan_repayments_truncate BEFORE TRUNCATE ON {schema}.loan_repayments
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.loan_repayment_kept();
CREATE TRIGGER loan_repayment_parts_kept BEFORE UPDATE OR DELETE ON {schema}.loan_repayment_parts
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_repayment_kept();
CREATE TRIGGER loan_repayment_parts_truncate BEFORE TRUNCATE
    ON {schema}.loan_repayment_parts FOR EACH STATEMENT
    EXECUTE FUNCTION {schema}.loan_repayment_kept();
"""


def upgrade() -> None:
    op.add_column('loans', sa.Column('collectibility', sa.String(length=20), nullable=True))
    op.add_column('loans', sa.Column('days_overdue', sa.Integer(), server_default='0', nullable=False))
    op.add_column('loans', sa.Column('assessed_on', sa.Date(), nullable=True))
    op.add_column('loan_settings', sa.Column('arrears_days', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text(ARREARS_DAYS), nullable=False))
    op.add_column('loan_settings', sa.Column('ppap_bp', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text(PPAP_BP), nullable=False))
    op.create_table('loan_ppap_runs',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('required', sa.BigInteger(), nullable=False),
    sa.Column('change', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=True),
    sa.Column('posted_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_loan_ppap_runs_month_range')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_loan_ppap_runs_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_loan_ppap_runs_posted_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_ppap_runs')),
    sa.UniqueConstraint('year', 'month', name=op.f('uq_loan_ppap_runs_year_month')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_loan_ppap_runs_entry_id'))
    )
    op.create_table('loan_repayments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('loan_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('token', sa.String(length=32), server_default=sa.text("replace(gen_random_uuid()::text, '-', '')"), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('interest', sa.BigInteger(), nullable=False),
    sa.Column('late_fee', sa.BigInteger(), nullable=False),
    sa.Column('is_payoff', sa.Boolean(), nullable=False),
    sa.Column('officer_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("token ~ '^[0-9a-f]{32}$'", name=op.f('ck_loan_repayments_token_shape')),
    sa.CheckConstraint('amount > 0 AND principal >= 0 AND interest >= 0 AND late_fee >= 0 AND amount = principal + interest + late_fee', name=op.f('ck_loan_repayments_split')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_repayments_loan_id_loans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_loan_repayments_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_repayments')),
    sa.UniqueConstraint('number', name=op.f('uq_loan_repayments_number')),
    sa.UniqueConstraint('token', name=op.f('uq_loan_repayments_token')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_loan_repayments_entry_id'))
    )
    op.create_index(op.f('ix_loan_repayments_loan_id'), 'loan_repayments', ['loan_id'], unique=False)
    op.create_table('loan_repayment_parts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('repayment_id', sa.BigInteger(), nullable=False),
    sa.Column('instalment_id', sa.BigInteger(), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('interest', sa.BigInteger(), nullable=False),
    sa.Column('late_fee', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('principal >= 0 AND interest >= 0 AND late_fee >= 0 AND principal + interest + late_fee > 0', name=op.f('ck_loan_repayment_parts_amounts')),
    sa.ForeignKeyConstraint(['repayment_id'], ['loan_repayments.id'], name=op.f('fk_loan_repayment_parts_repayment_id_loan_repayments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['instalment_id'], ['loan_instalments.id'], name=op.f('fk_loan_repayment_parts_instalment_id_loan_instalments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_repayment_parts')),
    sa.UniqueConstraint('repayment_id', 'instalment_id', name=op.f('uq_loan_repayment_parts_repayment_id_instalment_id'))
    )
    op.create_index(op.f('ix_loan_repayment_parts_instalment_id'), 'loan_repayment_parts', ['instalment_id'], unique=False)
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(GUARDS.replace("{schema}.", f'"{schema}".').replace("%", "%%"))


def downgrade() -> None:
    op.drop_table('loan_repayment_parts')
    op.drop_table('loan_repayments')
    op.drop_table('loan_ppap_runs')
    op.drop_column('loan_settings', 'ppap_bp')
    op.drop_column('loan_settings', 'arrears_days')
    op.execute("DROP FUNCTION loan_repayment_kept()")
    for column in ('assessed_on', 'days_overdue', 'collectibility'):
        op.drop_column('loans', column)
