"""Verification of cooperatives by KODE Indonesia's admins: applications, reviews, decisions."""
