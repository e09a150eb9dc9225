"""Member loans: the cooperative's approval rules, loan products, loans, their approvals and
schedules, with the database's guards; the chart's fee, late-fee, PPAP and insurance accounts
get the roles loans post to

Revision ID: t0023
Revises: t0022
Create Date: 2026-12-05 14:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 't0023'
down_revision = 't0022'
branch_labels = None
depends_on = None

GUARDS = """
CREATE FUNCTION {schema}.loan_terms_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a loan is never deleted: cancel or reject it'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status <> 'applied' AND (
            NEW.member_id, NEW.product_id, NEW.principal, NEW.rate_bp, NEW.instalments,
            NEW.method, NEW.frequency, NEW.admin_fee, NEW.insurance_fee, NEW.applied_by_id
        ) IS DISTINCT FROM (
            OLD.member_id, OLD.product_id, OLD.principal, OLD.rate_bp, OLD.instalments,
            OLD.method, OLD.frequency, OLD.admin_fee, OLD.insurance_fee, OLD.applied_by_id
        ) THEN
        RAISE EXCEPTION 'loan % was decided on these terms', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.disbursement_entry_id IS NOT NULL AND (
            NEW.disbursement_entry_id IS DISTINCT FROM OLD.disbursement_entry_id
            OR NEW.disbursed_on IS DISTINCT FROM OLD.disbursed_on) THEN
        RAISE EXCEPTION 'loan % is paid out once', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.loan_approval_by_another() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    applicant bigint;
    state text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a decision on a loan is never changed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    EXECUTE format('SELECT applied_by_id, status FROM %I.loans WHERE id = $1', TG_TABLE_SCHEMA)
        INTO applicant, state USING NEW.loan_id;
    IF applicant = NEW.user_id THEN
        RAISE EXCEPTION 'whoever applied for loan % does not decide on it', NEW.loan_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF state <> 'applied' THEN
        RAISE EXCEPTION 'loan % is decided already', NEW.loan_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.loan_schedule_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a schedule is never changed: restructuring adds a new version'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER loans_terms_kept BEFORE UPDATE OR DELETE ON {schema}.loans
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_terms_kept();

CREATE TRIGGER loan_approvals_by_another BEFORE INSERT OR UPDATE OR DELETE
    ON {schema}.loan_approvals FOR EACH ROW EXECUTE FUNCTION {schema}.loan_approval_by_another();

CREATE TRIGGER loan_instalments_kept BEFORE UPDATE OR DELETE ON {schema}.loan_instalments
    FOR EACH ROW EXECUTE FUNCTION {schema}.loan_schedule_kept();
CREATE TRIGGER loan_instalments_truncate BEFORE TRUNCATE ON {schema}.loan_instalments
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.loan_schedule_kept();
"""

ROLES = {"4-102": "loan_fees", "4-103": "late_fees", "6-104": "ppap_expense"}


def upgrade() -> None:
    for code, role in ROLES.items():
        op.execute(
            sa.text(
                "UPDATE accounts SET role = :role WHERE code = :code AND role IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = :role)"
            ).bindparams(code=code, role=role)
        )
    op.execute(
        sa.text(
            "INSERT INTO accounts (code, name, kind, parent_id, is_header, role, is_active,"
            " created_at)"
            # A cooperative's own account may hold the code already: then a code under it.
            " SELECT CASE WHEN EXISTS (SELECT 1 FROM accounts WHERE code = '2-111')"
            " THEN '2-111-01' ELSE '2-111' END,"
            " NULL, 'liability', id, false, 'loan_insurance', true, now()"
            " FROM accounts WHERE code = '2'"
            " AND NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'loan_insurance')"
        )
    )
    op.create_table('loan_settings',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('approver_roles', postgresql.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('approvals_required', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_loan_settings_single_row')),
    sa.CheckConstraint('approvals_required BETWEEN 1 AND 5', name=op.f('ck_loan_settings_approvals_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_settings'))
    )
    op.create_table('loan_products',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('min_instalments', sa.SmallInteger(), nullable=False),
    sa.Column('max_instalments', sa.SmallInteger(), nullable=False),
    sa.Column('min_amount', sa.BigInteger(), nullable=False),
    sa.Column('max_amount', sa.BigInteger(), nullable=True),
    sa.Column('savings_multiple', sa.SmallInteger(), nullable=True),
    sa.Column('admin_fee_bp', sa.Integer(), nullable=False),
    sa.Column('insurance_fee_bp', sa.Integer(), nullable=False),
    sa.Column('late_fee_per_day', sa.BigInteger(), nullable=False),
    sa.Column('grace_days', sa.SmallInteger(), nullable=False),
    sa.Column('payoff_rule', sa.String(length=20), nullable=False),
    sa.Column('requires_guarantor', sa.Boolean(), nullable=False),
    sa.Column('collateral_note', sa.String(length=300), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate_bp BETWEEN 0 AND 10000', name=op.f('ck_loan_products_rate_range')),
    sa.CheckConstraint('min_instalments BETWEEN 1 AND max_instalments AND max_instalments <= 1000', name=op.f('ck_loan_products_instalments_range')),
    sa.CheckConstraint('min_amount > 0 AND (max_amount IS NULL OR max_amount >= min_amount)', name=op.f('ck_loan_products_amount_range')),
    sa.CheckConstraint('admin_fee_bp BETWEEN 0 AND 10000 AND insurance_fee_bp BETWEEN 0 AND 10000 AND late_fee_per_day >= 0 AND grace_days BETWEEN 0 AND 90 AND (savings_multiple IS NULL OR savings_multiple BETWEEN 1 AND 100)', name=op.f('ck_loan_products_fees_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_products')),
    sa.UniqueConstraint('name', name=op.f('uq_loan_products_name'))
    )
    op.create_table('loans',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('instalments', sa.SmallInteger(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('admin_fee', sa.BigInteger(), nullable=False),
    sa.Column('insurance_fee', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('guarantor', sa.String(length=120), nullable=True),
    sa.Column('collateral', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('applied_by_id', sa.BigInteger(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.String(length=300), nullable=True),
    sa.Column('disbursed_on', sa.Date(), nullable=True),
    sa.Column('disbursement_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('officer_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('principal > 0 AND admin_fee >= 0 AND insurance_fee >= 0', name=op.f('ck_loans_money')),
    sa.CheckConstraint('admin_fee + insurance_fee < principal', name=op.f('ck_loans_fees_below_principal')),
    sa.CheckConstraint('instalments BETWEEN 1 AND 1000', name=op.f('ck_loans_instalments_range')),
    sa.CheckConstraint('rate_bp BETWEEN 0 AND 10000', name=op.f('ck_loans_rate_range')),
    sa.CheckConstraint("(status IN ('active', 'paid_off')) = (disbursement_entry_id IS NOT NULL)", name=op.f('ck_loans_disbursed_with_entry')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_loans_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['loan_products.id'], name=op.f('fk_loans_product_id_loan_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_loans_applied_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['disbursement_entry_id'], ['journal_entries.id'], name=op.f('fk_loans_disbursement_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_loans_officer_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans')),
    sa.UniqueConstraint('number', name=op.f('uq_loans_number')),
    sa.UniqueConstraint('disbursement_entry_id', name=op.f('uq_loans_disbursement_entry_id'))
    )
    op.create_index(op.f('ix_loans_member_id'), 'loans', ['member_id'], unique=False)
    op.create_table('loan_approvals',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('loan_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_approvals_loan_id_loans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loan_approvals_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_approvals')),
    sa.UniqueConstraint('loan_id', 'user_id', name=op.f('uq_loan_approvals_loan_id_user_id'))
    )
    op.create_table('loan_instalments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('loan_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.SmallInteger(), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('interest', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('principal >= 0 AND interest >= 0 AND principal + interest > 0', name=op.f('ck_loan_instalments_amounts')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_instalments_loan_id_loans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_instalments')),
    sa.UniqueConstraint('loan_id', 'version', 'number', name=op.f('uq_loan_instalments_loan_id_version_number'))
    )
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(GUARDS.replace("{schema}.", f'"{schema}".').replace("%", "%%"))


def downgrade() -> None:
    for table in ("loan_instalments", "loan_approvals", "loans", "loan_products", "loan_settings"):
        op.drop_table(table)
    for function in ("loan_terms_kept", "loan_approval_by_another", "loan_schedule_kept"):
        op.execute(f"DROP FUNCTION {function}()")
    op.execute(
        "DELETE FROM accounts WHERE role = 'loan_insurance'"
        " AND NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.account_id = accounts.id)"
    )
    op.execute(
        sa.text("UPDATE accounts SET role = NULL WHERE role IN :roles").bindparams(
            sa.bindparam("roles", tuple(ROLES.values()), expanding=True)
        )
    )
