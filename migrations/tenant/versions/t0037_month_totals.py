"""Every month that has ended is counted, closed or not: the closed months' totals become the
counted months' (month_totals), a month is counted once it has ended (periods.counted_at, by the
daily job) or when it closes, and an entry dated in a counted month adds its lines to that
month's totals; statements and the payout check read the counted months from their totals

Revision ID: t0037
Revises: t0036
Create Date: 2026-12-06 07:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "t0037"
down_revision = "t0036"
branch_labels = None
depends_on = None

COUNTING = """CREATE FUNCTION {schema}.ledger_count_months() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    counted date;
    through date := (make_date(NEW.year, NEW.month, 1) + interval '1 month')::date;
BEGIN
    LOCK TABLE journal_entries IN SHARE MODE;
    SELECT (make_date(year, month, 1) + interval '1 month')::date INTO counted
    FROM month_totals ORDER BY year DESC, month DESC LIMIT 1;
    IF counted >= through THEN
        RETURN NULL;
    END IF;
    INSERT INTO month_totals (year, month, account_id, debit, credit)
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
CREATE TRIGGER periods_count AFTER INSERT OR UPDATE OF counted_at, closed_at ON {schema}.periods
    FOR EACH ROW WHEN (NEW.counted_at IS NOT NULL OR NEW.closed_at IS NOT NULL)
    EXECUTE FUNCTION {schema}.ledger_count_months();
"""

TOTALS_GUARDS = """CREATE FUNCTION {schema}.ledger_totals_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Written by a month's count and by late entries' lines alone (a trigger within a
    -- trigger), and never removed.
    IF TG_OP IN ('INSERT', 'UPDATE') AND pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a month''s totals are counted from its lines by the database'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER month_totals_counted
    BEFORE INSERT OR UPDATE OR DELETE ON {schema}.month_totals
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_totals_counted();
CREATE TRIGGER month_totals_truncate BEFORE TRUNCATE ON {schema}.month_totals
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_totals_counted();
"""

LATE_LINES = """CREATE FUNCTION {schema}.ledger_count_late_lines() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    counted date;
BEGIN
    -- Lines dated in a month already counted (a late entry: the month is still open) join
    -- that month's totals in the statement that writes them. A counting waits for this
    -- transaction to end (LOCK ... SHARE), so no line is counted twice or missed.
    SELECT (make_date(year, month, 1) + interval '1 month')::date INTO counted
    FROM month_totals ORDER BY year DESC, month DESC LIMIT 1;
    IF counted IS NULL THEN
        RETURN NULL;
    END IF;
    -- In the order of the rows' keys, so two late entries never wait on each other in a ring.
    INSERT INTO month_totals AS total (year, month, account_id, debit, credit)
    SELECT extract(year FROM entry_date), extract(month FROM entry_date), account_id,
           sum(debit), sum(credit)
    FROM new_lines WHERE entry_date < counted
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (year, month, account_id) DO UPDATE
    SET debit = total.debit + excluded.debit, credit = total.credit + excluded.credit;
    RETURN NULL;
END $$;
CREATE TRIGGER journal_lines_late AFTER INSERT ON {schema}.journal_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_count_late_lines();
"""

# The payout check reads the cash and bank accounts' counted months from their totals.
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
        -- Money paid out never takes the cash box or the bank below zero: what the counted
        -- months' totals hold and the lines after them (a counting waits for this commit).
        SELECT account_id, sum(amount) INTO short_account, short_balance
        FROM (SELECT account_id, debit - credit AS amount FROM month_totals
              WHERE account_id = ANY(paying)
              UNION ALL
              SELECT account_id, debit - credit FROM journal_lines
              WHERE account_id = ANY(paying) AND entry_date >= coalesce(
                  (SELECT (make_date(year, month, 1) + interval '1 month')::date
                   FROM month_totals ORDER BY year DESC, month DESC LIMIT 1),
                  '-infinity')) held
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

COUNTING_BEFORE = """CREATE FUNCTION {schema}.ledger_count_closed_month() RETURNS trigger LANGUAGE plpgsql
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

TOTALS_GUARDS_BEFORE = """CREATE FUNCTION {schema}.ledger_totals_counted() RETURNS trigger LANGUAGE plpgsql AS $$
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

CONSTRAINTS = (
    ("pk_closed_month_totals", "pk_month_totals"),
    ("ck_closed_month_totals_has_lines", "ck_month_totals_has_lines"),
    ("ck_closed_month_totals_month_range", "ck_month_totals_month_range"),
    ("fk_closed_month_totals_account_id_accounts", "fk_month_totals_account_id_accounts"),
)


def _run(ddl: str) -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(ddl.replace("{schema}", f'"{schema}"').replace("%", "%%"))


def upgrade() -> None:
    op.execute("DROP TRIGGER periods_count_closed ON periods")
    op.execute("DROP FUNCTION ledger_count_closed_month()")
    op.execute("DROP TRIGGER closed_month_totals_counted ON closed_month_totals")
    op.execute("DROP TRIGGER closed_month_totals_truncate ON closed_month_totals")
    op.execute("DROP FUNCTION ledger_totals_counted()")
    op.rename_table("closed_month_totals", "month_totals")
    for before, after in CONSTRAINTS:
        op.execute(f"ALTER TABLE month_totals RENAME CONSTRAINT {before} TO {after}")
    op.add_column("periods", sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True))
    _run(COUNTING + TOTALS_GUARDS + LATE_LINES + PAYOUT_CHECK)


def downgrade() -> None:
    _run(PAYOUT_CHECK_BEFORE)
    op.execute("DROP TRIGGER journal_lines_late ON journal_lines")
    op.execute("DROP FUNCTION ledger_count_late_lines()")
    op.execute("DROP TRIGGER periods_count ON periods")
    op.execute("DROP FUNCTION ledger_count_months()")
    op.execute("DROP TRIGGER month_totals_counted ON month_totals")
    op.execute("DROP TRIGGER month_totals_truncate ON month_totals")
    op.execute("DROP FUNCTION ledger_totals_counted()")
    # Before this revision only the closed months had totals.
    op.execute(
        "DELETE FROM month_totals WHERE make_date(year, month, 1) >= coalesce("
        "(SELECT (max(make_date(year, month, 1)) + interval '1 month')::date"
        " FROM periods WHERE closed_at IS NOT NULL), '-infinity')"
    )
    op.drop_column("periods", "counted_at")
    for before, after in CONSTRAINTS:
        op.execute(f"ALTER TABLE month_totals RENAME CONSTRAINT {after} TO {before}")
    op.rename_table("month_totals", "closed_month_totals")
    _run(COUNTING_BEFORE + TOTALS_GUARDS_BEFORE)
