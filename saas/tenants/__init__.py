"""Tenancy: the registry of cooperatives, host resolution, provisioning and schema migrations."""
