"""The database guards run static SQL with their schema as search_path: planned once per
connection instead of at every call

Revision ID: t0029
Revises: t0027
Create Date: 2026-12-05 17:20:00
"""

from alembic import op

revision = "t0029"
down_revision = "t0027"
branch_labels = None
depends_on = None

STATIC = """
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

CREATE OR REPLACE FUNCTION {schema}.ledger_lines_whole() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    bad record;
BEGIN
    -- An entry's lines are written together: the statement that writes them holds all of
    -- them, they balance and they carry the entry's date. No line joins an entry later.
    SELECT given.*, entry.entry_date, stored.lines AS stored INTO bad
    FROM (SELECT entry_id, count(*) AS lines, sum(debit) AS debits,
                 sum(credit) AS credits, min(entry_date) AS first_date,
                 max(entry_date) AS last_date
          FROM new_lines GROUP BY entry_id) given
    JOIN journal_entries entry ON entry.id = given.entry_id
    CROSS JOIN LATERAL (SELECT count(*) AS lines FROM journal_lines
                        WHERE entry_id = given.entry_id) stored
    WHERE stored.lines <> given.lines
       OR given.lines < 2 OR given.debits <> given.credits OR given.debits = 0
       OR given.first_date <> entry.entry_date OR given.last_date <> entry.entry_date
    LIMIT 1;
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

CREATE OR REPLACE FUNCTION {schema}.ledger_period_open() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    IF EXISTS (SELECT FROM periods
               WHERE (year, month) >= (extract(year FROM NEW.entry_date)::int,
                                       extract(month FROM NEW.entry_date)::int)
                 AND closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'the period of % is closed', NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {schema}.bill_item_paid_once() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    fits boolean;
    reversed boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.receipt_id IS NOT NULL THEN
            RAISE EXCEPTION 'a paid share is never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.receipt_id IS NOT NULL THEN
        IF NEW.amount <> OLD.amount OR NEW.member_id <> OLD.member_id
                OR NEW.bill_id <> OLD.bill_id
                OR (NEW.receipt_id IS NOT NULL AND NEW.receipt_id <> OLD.receipt_id) THEN
            RAISE EXCEPTION 'share % is paid by receipt %', OLD.id, OLD.receipt_id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.receipt_id IS NULL THEN
            reversed := EXISTS (SELECT FROM receipts r JOIN journal_entries e
                                ON e.reverses_id = r.entry_id WHERE r.id = OLD.receipt_id);
            IF NOT reversed THEN
                RAISE EXCEPTION 'share % stays paid until receipt % is reversed',
                    OLD.id, OLD.receipt_id USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.receipt_id IS NOT NULL THEN
        fits := EXISTS (SELECT FROM receipts r JOIN bills b ON b.id = NEW.bill_id
                        WHERE r.id = NEW.receipt_id AND r.member_id = NEW.member_id
                          AND r.kind = b.kind AND NOT r.is_withdrawal);
        IF NOT fits THEN
            RAISE EXCEPTION 'receipt % is not a deposit of this member''s savings of this kind',
                NEW.receipt_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {schema}.bill_items_release_reversed() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    -- A reversed deposit pays no month: its shares are owed again, whoever reversed it.
    UPDATE bill_items SET receipt_id = NULL
    WHERE receipt_id IN (SELECT id FROM receipts WHERE entry_id = NEW.reverses_id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION {schema}.loan_approval_by_another() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    applicant bigint;
    state text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a decision on a loan is never changed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT applied_by_id, status INTO applicant, state FROM loans WHERE id = NEW.loan_id;
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

CREATE OR REPLACE FUNCTION {schema}.password_reset_ask_for_member() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM users
                   WHERE id = NEW.user_id AND role = 'anggota' AND email IS NULL) THEN
        RAISE EXCEPTION 'a new password is asked only for a member''s account without email'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""

DYNAMIC = """
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

CREATE OR REPLACE FUNCTION {schema}.ledger_lines_whole() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION {schema}.ledger_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.periods WHERE (year, month) >= ($1, $2) '
        'AND closed_at IS NOT NULL)', TG_TABLE_SCHEMA)
        INTO closed
        USING extract(year FROM NEW.entry_date)::int, extract(month FROM NEW.entry_date)::int;
    IF closed THEN
        RAISE EXCEPTION 'the period of % is closed', NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {schema}.bill_item_paid_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fits boolean;
    reversed boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.receipt_id IS NOT NULL THEN
            RAISE EXCEPTION 'a paid share is never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.receipt_id IS NOT NULL THEN
        IF NEW.amount <> OLD.amount OR NEW.member_id <> OLD.member_id
                OR NEW.bill_id <> OLD.bill_id
                OR (NEW.receipt_id IS NOT NULL AND NEW.receipt_id <> OLD.receipt_id) THEN
            RAISE EXCEPTION 'share % is paid by receipt %', OLD.id, OLD.receipt_id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.receipt_id IS NULL THEN
            EXECUTE format(
                'SELECT EXISTS (SELECT 1 FROM %I.receipts r JOIN %I.journal_entries e '
                'ON e.reverses_id = r.entry_id WHERE r.id = $1)', TG_TABLE_SCHEMA, TG_TABLE_SCHEMA)
                INTO reversed USING OLD.receipt_id;
            IF NOT reversed THEN
                RAISE EXCEPTION 'share % stays paid until receipt % is reversed',
                    OLD.id, OLD.receipt_id USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.receipt_id IS NOT NULL THEN
        EXECUTE format(
            'SELECT EXISTS (SELECT 1 FROM %I.receipts r JOIN %I.bills b ON b.id = $2 '
            'WHERE r.id = $1 AND r.member_id = $3 AND r.kind = b.kind AND NOT r.is_withdrawal)',
            TG_TABLE_SCHEMA, TG_TABLE_SCHEMA)
            INTO fits USING NEW.receipt_id, NEW.bill_id, NEW.member_id;
        IF NOT fits THEN
            RAISE EXCEPTION 'receipt % is not a deposit of this member''s savings of this kind',
                NEW.receipt_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {schema}.bill_items_release_reversed() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    -- A reversed deposit pays no month: its shares are owed again, whoever reversed it.
    EXECUTE format(
        'UPDATE %I.bill_items SET receipt_id = NULL WHERE receipt_id IN '
        '(SELECT id FROM %I.receipts WHERE entry_id = $1)', TG_TABLE_SCHEMA, TG_TABLE_SCHEMA)
        USING NEW.reverses_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION {schema}.loan_approval_by_another() RETURNS trigger LANGUAGE plpgsql
AS $$
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

CREATE OR REPLACE FUNCTION {schema}.password_reset_ask_for_member() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE
    fits boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.users WHERE id = $1 AND role = ''anggota'' '
        'AND email IS NULL)', TG_TABLE_SCHEMA) INTO fits USING NEW.user_id;
    IF NOT fits THEN
        RAISE EXCEPTION 'a new password is asked only for a member''s account without email'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""


def _run(ddl: str) -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(ddl.replace("{schema}", f'"{schema}"').replace("%", "%%"))


def upgrade() -> None:
    _run(STATIC)


def downgrade() -> None:
    _run(DYNAMIC)  # replacing a function also drops its search_path setting
