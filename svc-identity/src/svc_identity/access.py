"""The route access rule, now shared by every service: see ``egov_shared.access``. Kept here so
that ``from svc_identity.access import access`` goes on working."""

from __future__ import annotations

from egov_shared.access import ACCESS_EXTENSION, AccessRule, access

__all__ = ["ACCESS_EXTENSION", "AccessRule", "access"]
