"""Savings (``/kelola``): the counter and its receipts, bills and arrears, interest, settings."""
