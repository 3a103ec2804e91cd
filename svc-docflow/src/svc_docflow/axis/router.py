"""Placeholder: filled in by the axis work."""

from fastapi import APIRouter

router = APIRouter()
