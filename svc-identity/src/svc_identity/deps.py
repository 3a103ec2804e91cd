"""Typed dependencies of svc-identity's routes (besides the shared ``SessionDep`` and
``RuntimeDep``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from svc_identity.mail import Mailer
from svc_identity.oidc.keys import KeyRing
from svc_identity.secretbox import SecretBox
from svc_identity.settings import IdentitySettings


def get_settings(request: Request) -> IdentitySettings:
    settings = request.app.state.runtime.settings
    if not isinstance(settings, IdentitySettings):
        raise TypeError("svc-identity started without IdentitySettings")
    return settings


def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


SettingsDep = Annotated[IdentitySettings, Depends(get_settings)]
KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]


def get_secret_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]


def get_mailer(request: Request) -> Mailer:
    mailer: Mailer = request.app.state.mailer
    return mailer


MailerDep = Annotated[Mailer, Depends(get_mailer)]
