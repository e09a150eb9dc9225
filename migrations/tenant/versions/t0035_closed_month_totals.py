"""Closed months' totals per account, counted by the database as each month closes, so the
statements read the closed months from them and only the open months from the lines

Revision ID: t0035
Revises: t0032
Create Date: 2026-12-05 19:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0035'
down_revision = 't0032'
branch_labels = None
depends_on = None

COUNTING = """CREATE FUNCTION {schema}.ledger_count_closed_month() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    counted date;
    through date := (make_date(NEW.year, NEW.month, 1) + interval '1 month')::date;
BEGIN
    LOCK TABLE journal_entries IN SHARE MODE;
    SELECT (max(make_date(year, month, 1)) + interval '1 month')::date INTO counted
    FROM closed_month_totals;
    IF counted >= through THEN
        RETURN NULL;
    END IF;
    INSERT INTO closed_month_totals (year, month, account_id, debit, credit)
    SELECT extract(year FROM totals.month), extract(month FROM totals.month), account.id,
           totals.debit, totals.credit
    FROM accounts account
    CROSS JOIN LATERAL (SELECT date_trunc('month', entry_date) AS month,
                               sum(debit) AS debit, sum(credit) AS credit
                        FROM journal_lines
                        WHERE account_id = account.id AND entry_date < through
                          AND entry_date >= coalesce(counted, '-infinity')
                        GROUP BY 1) totals;
    RETURN NULL;
END $$;
CREATE TRIGGER periods_count_closed AFTER INSERT OR UPDATE OF closed_at ON {schema}.periods
    FOR EACH ROW WHEN (NEW.closed_at IS NOT NULL)
    EXECUTE FUNCTION {schema}.ledger_count_closed_month();
"""

TOTALS_GUARDS = """CREATE FUNCTION {schema}.ledger_totals_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Written by a month's closing alone (a trigger within a trigger), and never changed.
    IF TG_OP = 'INSERT' AND pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a closed month''s totals are counted from its lines when it closes'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER closed_month_totals_counted
    BEFORE INSERT OR UPDATE OR DELETE ON {schema}.closed_month_totals
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_totals_counted();
CREATE TRIGGER closed_month_totals_truncate BEFORE TRUNCATE ON {schema}.closed_month_totals
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_totals_counted();
"""

# The months closed before this revision, counted once here (the guards come after).
COUNT_CLOSED = """
INSERT INTO closed_month_totals (year, month, account_id, debit, credit)
SELECT extract(year FROM totals.month), extract(month FROM totals.month), account.id,
       totals.debit, totals.credit
FROM accounts account
CROSS JOIN LATERAL (SELECT date_trunc('month', entry_date) AS month,
                           sum(debit) AS debit, sum(credit) AS credit
                    FROM journal_lines
                    WHERE account_id = account.id
                      AND entry_date < (SELECT (max(make_date(year, month, 1))
                                                + interval '1 month')::date
                                        FROM periods WHERE closed_at IS NOT NULL)
                    GROUP BY 1) totals
"""


def _run(ddl: str) -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(ddl.replace("{schema}", f'"{schema}"').replace("%", "%%"))


def upgrade() -> None:
    op.create_table('closed_month_totals',
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('debit', sa.BigInteger(), nullable=False),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND debit + credit > 0', name=op.f('ck_closed_month_totals_has_lines')),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_closed_month_totals_month_range')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_closed_month_totals_account_id_accounts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('year', 'month', 'account_id', name=op.f('pk_closed_month_totals'))
    )
    op.execute(COUNT_CLOSED)
    _run(COUNTING + TOTALS_GUARDS)


def downgrade() -> None:
    op.execute("DROP TRIGGER periods_count_closed ON periods")
    op.execute("DROP FUNCTION ledger_count_closed_month()")
    op.drop_table('closed_month_totals')
    op.execute("DROP FUNCTION ledger_totals_counted()")
