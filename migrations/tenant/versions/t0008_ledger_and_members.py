"""ledger and members

Revision ID: t0008
Revises: t0007
Create Date: 2026-11-29 13:32:47.793977
"""
from alembic import op
import sqlalchemy as sa


revision = 't0008'
down_revision = 't0007'
branch_labels = None
depends_on = None

# The database's guards on the books (as in saas/ledger/models.py when this revision was made).
GUARDS = """
CREATE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
    debits numeric;
    credits numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'journal_entries' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
    EXECUTE format(
        'SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) '
        'FROM %I.journal_lines WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO debits, credits, lines USING entry;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            entry, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posted journal entries are never changed: post a reversing entry'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION {schema}.ledger_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.periods WHERE year = $1 AND month = $2 '
        'AND closed_at IS NOT NULL)', TG_TABLE_SCHEMA)
        INTO closed
        USING extract(year FROM NEW.entry_date)::int, extract(month FROM NEW.entry_date)::int;
    IF closed THEN
        RAISE EXCEPTION 'the period of % is closed', NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON {schema}.journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON {schema}.journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_entry_balanced();
CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON {schema}.journal_entries
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_lines_immutable BEFORE UPDATE OR DELETE ON {schema}.journal_lines
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_entries_truncate BEFORE TRUNCATE ON {schema}.journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_lines_truncate BEFORE TRUNCATE ON {schema}.journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_entries_period_open BEFORE INSERT ON {schema}.journal_entries
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_period_open();
"""

# The cooperative chart of accounts every tenant starts with (names come from the translations).
CHART = [
    ('1', 'asset', None, True, None),
    ('1-100', 'asset', '1', True, None),
    ('1-101', 'asset', '1-100', False, 'cash'),
    ('1-102', 'asset', '1-100', False, 'bank'),
    ('1-103', 'asset', '1-100', False, 'loans_receivable'),
    ('1-104', 'asset', '1-100', False, 'ppap'),
    ('1-105', 'asset', '1-100', False, None),
    ('1-106', 'asset', '1-100', False, 'inventory'),
    ('1-107', 'asset', '1-100', False, None),
    ('1-200', 'asset', '1', True, None),
    ('1-201', 'asset', '1-200', False, None),
    ('1-202', 'asset', '1-200', False, None),
    ('2', 'liability', None, True, None),
    ('2-101', 'liability', '2', False, 'savings_sukarela'),
    ('2-102', 'liability', '2', False, None),
    ('2-103', 'liability', '2', False, None),
    ('2-104', 'liability', '2', False, None),
    ('2-105', 'liability', '2', False, 'shu_payable'),
    ('2-106', 'liability', '2', False, None),
    ('2-107', 'liability', '2', False, None),
    ('2-108', 'liability', '2', False, None),
    ('2-109', 'liability', '2', False, None),
    ('2-110', 'liability', '2', False, None),
    ('3', 'equity', None, True, None),
    ('3-101', 'equity', '3', False, 'savings_pokok'),
    ('3-102', 'equity', '3', False, 'savings_wajib'),
    ('3-103', 'equity', '3', False, None),
    ('3-104', 'equity', '3', False, None),
    ('3-105', 'equity', '3', False, 'reserve'),
    ('3-106', 'equity', '3', False, 'retained_shu'),
    ('4', 'revenue', None, True, None),
    ('4-101', 'revenue', '4', False, 'loan_interest'),
    ('4-102', 'revenue', '4', False, None),
    ('4-103', 'revenue', '4', False, None),
    ('4-104', 'revenue', '4', False, 'sales_members'),
    ('4-105', 'revenue', '4', False, 'sales_non_members'),
    ('4-106', 'revenue', '4', False, None),
    ('4-107', 'revenue', '4', False, None),
    ('4-199', 'revenue', '4', False, 'other_income'),
    ('5', 'expense', None, True, None),
    ('5-101', 'expense', '5', False, 'cogs'),
    ('6', 'expense', None, True, None),
    ('6-101', 'expense', '6', False, None),
    ('6-102', 'expense', '6', False, None),
    ('6-103', 'expense', '6', False, None),
    ('6-104', 'expense', '6', False, None),
    ('6-105', 'expense', '6', False, None),
    ('6-106', 'expense', '6', False, None),
    ('6-107', 'expense', '6', False, None),
    ('6-199', 'expense', '6', False, 'other_expense'),
]


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('kind', sa.Enum('asset', 'liability', 'equity', 'revenue', 'expense', name='account_kind', native_enum=False, length=20), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('is_header', sa.Boolean(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['accounts.id'], name=op.f('fk_accounts_parent_id_accounts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_accounts_code')),
    sa.UniqueConstraint('role', name=op.f('uq_accounts_role'))
    )
    op.create_table('counters',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('members',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('gender', sa.Enum('L', 'P', name='gender', native_enum=False, length=20), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('village', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('join_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('active', 'left', name='member_status', native_enum=False, length=20), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('exit_reason', sa.String(length=300), nullable=True),
    sa.Column('ktp_photo_key', sa.String(length=120), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_members_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('nik', name=op.f('uq_members_nik')),
    sa.UniqueConstraint('number', name=op.f('uq_members_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_members_user_id'))
    )
    op.create_index(op.f('ix_members_phone'), 'members', ['phone'], unique=False)
    op.create_table('periods',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_periods_month_range')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_periods_closed_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periods')),
    sa.UniqueConstraint('year', 'month', name=op.f('uq_periods_year_month'))
    )
    op.create_table('journal_entries',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('source', sa.Enum('manual', 'savings', 'reversal', 'opening', name='entry_source', native_enum=False, length=20), nullable=False),
    sa.Column('idempotency_key', sa.Uuid(), nullable=False),
    sa.Column('reverses_id', sa.BigInteger(), nullable=True),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('posted_by_id', sa.BigInteger(), nullable=True),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_journal_entries_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_journal_entries_posted_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reverses_id'], ['journal_entries.id'], name=op.f('fk_journal_entries_reverses_id_journal_entries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_journal_entries_idempotency_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_journal_entries_reverses_id'))
    )
    op.create_index(op.f('ix_journal_entries_entry_date'), 'journal_entries', ['entry_date'], unique=False)
    op.create_index(op.f('ix_journal_entries_member_id'), 'journal_entries', ['member_id'], unique=False)
    op.create_table('journal_lines',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('debit', sa.BigInteger(), nullable=False),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0) AND debit <= 1000000000000 AND credit <= 1000000000000', name=op.f('ck_journal_lines_one_positive_side')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_journal_lines_account_id_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_lines_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_journal_lines_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_lines'))
    )
    op.create_index('ix_journal_lines_account_date', 'journal_lines', ['account_id', 'entry_date'], unique=False, postgresql_include=['debit', 'credit'])
    op.create_index(op.f('ix_journal_lines_entry_id'), 'journal_lines', ['entry_id'], unique=False)
    op.create_index('ix_journal_lines_member_account', 'journal_lines', ['member_id', 'account_id'], unique=False)
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    # Doubled: the driver reads % as a placeholder marker; PL/pgSQL's format() needs %I.
    bind.exec_driver_sql(GUARDS.replace("{schema}.", f'"{schema}".').replace("%", "%%"))
    ids = {}
    for code, kind, parent, is_header, role in CHART:
        ids[code] = bind.execute(
            sa.text(
                "INSERT INTO accounts (code, kind, parent_id, is_header, role, is_active, created_at) "
                "VALUES (:code, :kind, :parent, :is_header, :role, true, now()) RETURNING id"
            ),
            {"code": code, "kind": kind, "parent": ids.get(parent), "is_header": is_header, "role": role},
        ).scalar_one()


def downgrade() -> None:
    op.drop_index('ix_journal_lines_member_account', table_name='journal_lines')
    op.drop_index(op.f('ix_journal_lines_entry_id'), table_name='journal_lines')
    op.drop_index('ix_journal_lines_account_date', table_name='journal_lines')
    op.drop_table('journal_lines')  # its triggers go with it
    for function in ("ledger_entry_balanced", "ledger_immutable", "ledger_period_open"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    op.drop_index(op.f('ix_journal_entries_member_id'), table_name='journal_entries')
    op.drop_index(op.f('ix_journal_entries_entry_date'), table_name='journal_entries')
    op.drop_table('journal_entries')
    op.drop_table('periods')
    op.drop_index(op.f('ix_members_phone'), table_name='members')
    op.drop_table('members')
    op.drop_table('counters')
    op.drop_table('accounts')
