"""Alembic environment of svc-docflow."""

from egov_shared.migrations import run_env
from svc_docflow.models import metadata
from svc_docflow.settings import DocflowSettings

run_env(metadata, lambda: DocflowSettings().database_url)
