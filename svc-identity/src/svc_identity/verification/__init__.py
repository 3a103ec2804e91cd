"""Levels of assurance: raising an account to level 2 (counter check or population database)."""
