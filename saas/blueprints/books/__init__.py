"""The books (``/kelola``): the journal and closing a month, the chart of accounts, the general
ledger."""
