"""An entry's lines are written in one statement that balances and carries the entry's date, no
line joins a posted entry, cash, bank and members' balances never go below zero, and a closed
period is never reopened

Revision ID: t0018
Revises: t0017
Create Date: 2026-12-05 12:00:00
"""
from alembic import op


revision = 't0018'
down_revision = 't0017'
branch_labels = None
depends_on = None

# As in saas/ledger/models.py when this revision was made.
GUARDS = """
DROP TRIGGER journal_lines_balanced ON {schema}.journal_lines;
DROP TRIGGER journal_lines_forget_balanced ON {schema}.journal_lines;
DROP FUNCTION {schema}.ledger_forget_balanced();
CREATE OR REPLACE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
    EXECUTE format(
        'SELECT coalesce(sum(line.debit), 0), coalesce(sum(line.credit), 0), count(*), '
        '       array_agg(account.id) FILTER (WHERE line.credit > 0 '
        '                                   AND account.role IN (''cash'', ''bank'')), '
        '       array_agg(account.id) FILTER (WHERE line.member_id IS NOT NULL AND CASE '
        '           WHEN account.kind IN (''asset'', ''expense'') THEN line.credit '
        '           ELSE line.debit END > 0) '
        'FROM %1$I.journal_lines line JOIN %1$I.accounts account ON account.id = line.account_id '
        'WHERE line.entry_id = $1', TG_TABLE_SCHEMA)
        INTO debits, credits, lines, paying, drawn USING NEW.id;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            NEW.id, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    IF paying IS NULL AND drawn IS NULL THEN
        RETURN NULL;
    END IF;
    -- The lock, held to the commit, makes a payout checked at the same moment wait for this
    -- one's commit, and then count it.
    EXECUTE format('SELECT FROM %1$I.accounts WHERE id = ANY($1) ORDER BY id '
        'FOR NO KEY UPDATE', TG_TABLE_SCHEMA) USING paying || drawn;
    IF paying IS NOT NULL THEN
        -- Money paid out never takes the cash box or the bank below zero.
        EXECUTE format(
            'SELECT account_id, sum(debit - credit) FROM %1$I.journal_lines '
            'WHERE account_id = ANY($1) GROUP BY account_id HAVING sum(debit - credit) < 0 '
            'LIMIT 1', TG_TABLE_SCHEMA)
            INTO short_account, short_balance USING paying;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'account % would hold %: money is never paid out below zero',
                short_account, short_balance USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF drawn IS NOT NULL THEN
        -- Nor does a member's balance on an account go past zero (savings paid out twice).
        EXECUTE format(
            'SELECT mine.account_id, mine.member_id, held.amount '
            'FROM (SELECT DISTINCT account_id, member_id FROM %1$I.journal_lines '
            '      WHERE entry_id = $1 AND member_id IS NOT NULL) mine '
            'JOIN %1$I.accounts account ON account.id = mine.account_id '
            'CROSS JOIN LATERAL (SELECT CASE WHEN account.kind IN (''asset'', ''expense'') '
            '                        THEN sum(debit - credit) ELSE sum(credit - debit) END '
            '                        AS amount FROM %1$I.journal_lines '
            '                    WHERE account_id = mine.account_id '
            '                      AND member_id = mine.member_id) held '
            'WHERE held.amount < 0 LIMIT 1', TG_TABLE_SCHEMA)
            INTO short_account, short_member, short_balance USING NEW.id;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'member % would hold % on account %: never below zero',
                short_member, short_balance, short_account USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_lines_whole() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- An entry's lines are written together: the statement that writes them holds all of
    -- them, they balance and they carry the entry's date. No line joins an entry later.
    EXECUTE format(
        'SELECT given.*, entry.entry_date, stored.lines AS stored '
        'FROM (SELECT entry_id, count(*) AS lines, sum(debit) AS debits, '
        '             sum(credit) AS credits, min(entry_date) AS first_date, '
        '             max(entry_date) AS last_date '
        '      FROM new_lines GROUP BY entry_id) given '
        'JOIN %1$I.journal_entries entry ON entry.id = given.entry_id '
        'CROSS JOIN LATERAL (SELECT count(*) AS lines FROM %1$I.journal_lines '
        '                    WHERE entry_id = given.entry_id) stored '
        'WHERE stored.lines <> given.lines '
        '   OR given.lines < 2 OR given.debits <> given.credits OR given.debits = 0 '
        '   OR given.first_date <> entry.entry_date OR given.last_date <> entry.entry_date '
        'LIMIT 1', TG_TABLE_SCHEMA)
        INTO bad;
    IF bad IS NULL THEN
        RETURN NULL;
    ELSIF bad.stored <> bad.lines THEN
        RAISE EXCEPTION 'journal entry % has its lines already: lines are never added',
            bad.entry_id USING ERRCODE = 'restrict_violation';
    ELSIF bad.first_date <> bad.entry_date OR bad.last_date <> bad.entry_date THEN
        RAISE EXCEPTION 'the lines of journal entry % are not dated %, the entry''s date',
            bad.entry_id, bad.entry_date USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
        bad.entry_id, bad.lines, bad.debits, bad.credits USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER journal_lines_whole AFTER INSERT ON {schema}.journal_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_lines_whole();
CREATE FUNCTION {schema}.ledger_period_stays_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A month is closed for good: its reports were read, and published, as they stand.
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'periods are never removed' USING ERRCODE = 'restrict_violation';
    ELSIF OLD.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'the period %-% is closed for good', OLD.year, OLD.month
            USING ERRCODE = 'restrict_violation';
    ELSIF TG_OP = 'UPDATE' AND (NEW.year, NEW.month) <> (OLD.year, OLD.month) THEN
        RAISE EXCEPTION 'a period never becomes another month'
            USING ERRCODE = 'restrict_violation';
    ELSIF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER periods_stay_closed BEFORE UPDATE OR DELETE ON {schema}.periods
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_period_stays_closed();
CREATE TRIGGER periods_truncate BEFORE TRUNCATE ON {schema}.periods
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_period_stays_closed();
"""

# Revision t0016's checks: one per entry and line, remembered in a session setting.
SETTING_CHECKS = """
DROP TRIGGER periods_truncate ON {schema}.periods;
DROP TRIGGER periods_stay_closed ON {schema}.periods;
DROP FUNCTION {schema}.ledger_period_stays_closed();
DROP TRIGGER journal_lines_whole ON {schema}.journal_lines;
DROP FUNCTION {schema}.ledger_lines_whole();
CREATE OR REPLACE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
    checked text;
    debits numeric;
    credits numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'journal_entries' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
    -- An entry and each of its lines queue one check; once one passes, the others have nothing
    -- left to find until more lines are inserted (ledger_forget_balanced, before every insert).
    checked := TG_TABLE_SCHEMA || '.' || entry;
    IF current_setting('guyub.balanced_entry', true) = checked THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) '
        'FROM %I.journal_lines WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO debits, credits, lines USING entry;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            entry, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('guyub.balanced_entry', checked, true);
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_forget_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('guyub.balanced_entry', '', true);
    RETURN NULL;
END $$;

CREATE TRIGGER journal_lines_forget_balanced BEFORE INSERT ON {schema}.journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_forget_balanced();
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON {schema}.journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_entry_balanced();
"""


def _run(ddl: str) -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(ddl.replace("{schema}.", f'"{schema}".').replace("%", "%%"))


def upgrade() -> None:
    _run(GUARDS)


def downgrade() -> None:
    _run(SETTING_CHECKS)
