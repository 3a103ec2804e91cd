"""Request bodies of password reset and password change."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ResetRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64,
                          description="The username: personal ID number, tax code or login.")


class ResetConfirm(BaseModel):
    token: str = Field(min_length=20, max_length=128, repr=False)
    new_password: str = Field(max_length=128, repr=False)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=128, repr=False)
    new_password: str = Field(max_length=128, repr=False)
