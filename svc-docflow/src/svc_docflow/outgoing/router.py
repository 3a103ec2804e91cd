"""Placeholder: filled in by the outgoing work."""

from fastapi import APIRouter

router = APIRouter()
