"""Accounts: cooperative users in each tenant schema, platform admins in ``public``."""
