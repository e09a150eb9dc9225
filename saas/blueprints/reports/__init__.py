"""Statements (``/kelola/laporan``): neraca, PHU, trial balance, changes in equity, cash flow,
the savings recap, and their downloads."""
