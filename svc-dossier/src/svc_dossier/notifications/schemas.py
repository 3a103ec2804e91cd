"""Notification preferences as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PreferencesUpdate(BaseModel):
    """``PUT``: the whole set. A channel that is on needs its contact."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20,
                              description="Vietnamese mobile number, 0xxxxxxxxx or +84xxxxxxxxx")
    email_enabled: bool = True
    sms_enabled: bool = True
    muted_events: list[str] = Field(
        default_factory=list, max_length=20,
        description="Non-essential messages the applicant does not want (see optional_events)")


class Preferences(BaseModel):
    email: str | None
    phone: str | None = Field(description="E.164 (+84…)")
    email_enabled: bool
    sms_enabled: bool
    muted_events: list[str]
    saved: bool = Field(description="false: nothing stored yet; these are suggestions from "
                                    "the sign-in token, and nothing is sent until saved")
    updated_at: datetime | None
    essential_events: list[str] = Field(description="Always sent on the enabled channels")
    optional_events: list[str] = Field(description="May be muted")
