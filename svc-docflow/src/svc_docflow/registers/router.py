"""Placeholder: filled in by the registers work."""

from fastapi import APIRouter

router = APIRouter()
