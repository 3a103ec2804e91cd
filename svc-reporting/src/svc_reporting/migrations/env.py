"""Alembic environment of svc-reporting."""

from egov_shared.migrations import run_env
from svc_reporting.models import metadata
from svc_reporting.settings import ReportingSettings

run_env(metadata, lambda: ReportingSettings().database_url)
