"""Shared plumbing and event contracts of the e-government platform: no business logic here."""
