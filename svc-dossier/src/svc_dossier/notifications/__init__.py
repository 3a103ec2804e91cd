"""Notifications to applicants: every status change that concerns them, by email and SMS."""
