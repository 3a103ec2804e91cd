"""Placeholder: the national axis SIMULATOR (demo mode only)."""

from fastapi import APIRouter

router = APIRouter()
