"""Alembic environment for svc-identity: the shared glue does the work."""

from egov_shared.migrations import run_env
from svc_identity.models import metadata
from svc_identity.settings import IdentitySettings

run_env(metadata, lambda: IdentitySettings().database_url)
