"""Payments from members' banking and e-wallet apps: the cooperative's QRIS code."""
