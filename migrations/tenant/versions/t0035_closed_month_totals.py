"""Closed months' totals per account, counted by the database as each month closes, so the
statements and the payout check read the closed months from them and only the open months from
the lines

Revision ID: t0035
Revises: t0034
Create Date: 2026-12-05 19:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0035'
down_revision = 't0034'
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

# The payout check reads the cash and bank accounts' closed months from their totals.
PAYOUT_CHECK = """
CREATE OR REPLACE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    debits numeric;
    credits numeric;
    lines integer;
    paying bigint[];
    drawn bigint[];
    short_account bigint;
    short_member bigint;
    short_balance numeric;
BEGIN
    -- Once per entry, at commit: its lines came in one statement that checked them
    -- (ledger_lines_whole), so this finds an entry left without lines; and what it takes out:
    -- of the cash and bank accounts (rules.CASH_ROLES), and of members' balances.
    SELECT coalesce(sum(line.debit), 0), coalesce(sum(line.credit), 0), count(*),
           array_agg(account.id) FILTER (WHERE line.credit > 0
                                         AND account.role IN ('cash', 'bank')),
           array_agg(account.id) FILTER (WHERE line.member_id IS NOT NULL AND CASE
               WHEN account.kind IN ('asset', 'expense') THEN line.credit
               ELSE line.debit END > 0)
    INTO debits, credits, lines, paying, drawn
    FROM journal_lines line JOIN accounts account ON account.id = line.account_id
    WHERE line.entry_id = NEW.id;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            NEW.id, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    IF paying IS NULL AND drawn IS NULL THEN
        RETURN NULL;
    END IF;
    -- The lock, held to the commit, makes a payout checked at the same moment wait for this
    -- one's commit, and then count it.
    PERFORM FROM accounts WHERE id = ANY(paying || drawn) ORDER BY id FOR NO KEY UPDATE;
    IF paying IS NOT NULL THEN
        -- Money paid out never takes the cash box or the bank below zero: what the closed
        -- months' totals hold and the lines after them (the closing waits for this commit).
        SELECT account_id, sum(amount) INTO short_account, short_balance
        FROM (SELECT account_id, debit - credit AS amount FROM closed_month_totals
              WHERE account_id = ANY(paying)
              UNION ALL
              SELECT account_id, debit - credit FROM journal_lines
              WHERE account_id = ANY(paying) AND entry_date >= coalesce(
                  (SELECT (max(make_date(year, month, 1)) + interval '1 month')::date
                   FROM periods WHERE closed_at IS NOT NULL), '-infinity')) held
        GROUP BY account_id HAVING sum(amount) < 0 LIMIT 1;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'account % would hold %: money is never paid out below zero',
                short_account, short_balance USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF drawn IS NOT NULL THEN
        -- Nor does a member's balance on an account go past zero (savings paid out twice).
        SELECT mine.account_id, mine.member_id, held.amount
        INTO short_account, short_member, short_balance
        FROM (SELECT DISTINCT account_id, member_id FROM journal_lines
              WHERE entry_id = NEW.id AND member_id IS NOT NULL) mine
        JOIN accounts account ON account.id = mine.account_id
        CROSS JOIN LATERAL (SELECT CASE WHEN account.kind IN ('asset', 'expense')
                                THEN sum(debit - credit) ELSE sum(credit - debit) END AS amount
                            FROM journal_lines
                            WHERE account_id = mine.account_id AND member_id = mine.member_id) held
        WHERE held.amount < 0 LIMIT 1;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'member % would hold % on account %: never below zero',
                short_member, short_balance, short_account USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""

PAYOUT_CHECK_BEFORE = """
CREATE OR REPLACE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    debits numeric;
    credits numeric;
    lines integer;
    paying bigint[];
    drawn bigint[];
    short_account bigint;
    short_member bigint;
    short_balance numeric;
BEGIN
    -- Once per entry, at commit: its lines came in one statement that checked them
    -- (ledger_lines_whole), so this finds an entry left without lines; and what it takes out:
    -- of the cash and bank accounts (rules.CASH_ROLES), and of members' balances.
    SELECT coalesce(sum(line.debit), 0), coalesce(sum(line.credit), 0), count(*),
           array_agg(account.id) FILTER (WHERE line.credit > 0
                                         AND account.role IN ('cash', 'bank')),
           array_agg(account.id) FILTER (WHERE line.member_id IS NOT NULL AND CASE
               WHEN account.kind IN ('asset', 'expense') THEN line.credit
               ELSE line.debit END > 0)
    INTO debits, credits, lines, paying, drawn
    FROM journal_lines line JOIN accounts account ON account.id = line.account_id
    WHERE line.entry_id = NEW.id;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            NEW.id, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    IF paying IS NULL AND drawn IS NULL THEN
        RETURN NULL;
    END IF;
    -- The lock, held to the commit, makes a payout checked at the same moment wait for this
    -- one's commit, and then count it.
    PERFORM FROM accounts WHERE id = ANY(paying || drawn) ORDER BY id FOR NO KEY UPDATE;
    IF paying IS NOT NULL THEN
        -- Money paid out never takes the cash box or the bank below zero.
        SELECT account_id, sum(debit - credit) INTO short_account, short_balance
        FROM journal_lines WHERE account_id = ANY(paying)
        GROUP BY account_id HAVING sum(debit - credit) < 0 LIMIT 1;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'account % would hold %: money is never paid out below zero',
                short_account, short_balance USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF drawn IS NOT NULL THEN
        -- Nor does a member's balance on an account go past zero (savings paid out twice).
        SELECT mine.account_id, mine.member_id, held.amount
        INTO short_account, short_member, short_balance
        FROM (SELECT DISTINCT account_id, member_id FROM journal_lines
              WHERE entry_id = NEW.id AND member_id IS NOT NULL) mine
        JOIN accounts account ON account.id = mine.account_id
        CROSS JOIN LATERAL (SELECT CASE WHEN account.kind IN ('asset', 'expense')
                                THEN sum(debit - credit) ELSE sum(credit - debit) END AS amount
                            FROM journal_lines
                            WHERE account_id = mine.account_id AND member_id = mine.member_id) held
        WHERE held.amount < 0 LIMIT 1;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'member % would hold % on account %: never below zero',
                short_member, short_balance, short_account USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
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
    _run(COUNTING + TOTALS_GUARDS + PAYOUT_CHECK)


def downgrade() -> None:
    _run(PAYOUT_CHECK_BEFORE)
    op.execute("DROP TRIGGER periods_count_closed ON periods")
    op.execute("DROP FUNCTION ledger_count_closed_month()")
    op.drop_table('closed_month_totals')
    op.execute("DROP FUNCTION ledger_totals_counted()")
