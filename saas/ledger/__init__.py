"""The double-entry ledger: chart of accounts, journal entries, periods and statements."""
