"""Accounts: citizen self-registration, sign-in checks and the caller's profile."""
