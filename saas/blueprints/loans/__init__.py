"""Loan pages: products, the approval rule, applications, decisions, payout and the akad."""
