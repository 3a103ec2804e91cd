"""Placeholder: filled in by the incoming work."""

from fastapi import APIRouter

router = APIRouter()
