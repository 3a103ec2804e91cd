"""Tables of the periodic part (on the read model's metadata; built by the migrations)."""

from __future__ import annotations

from svc_reporting.models import metadata

__all__ = ["metadata"]
