"""Alembic environment of svc-reporting."""

from egov_shared.migrations import run_env
from svc_reporting.index766 import tables as _index766  # noqa: F401  (registers its tables)
from svc_reporting.models import metadata
from svc_reporting.periodic import tables as _periodic  # noqa: F401
from svc_reporting.settings import ReportingSettings
from svc_reporting.targets import tables as _targets  # noqa: F401

run_env(metadata, lambda: ReportingSettings().database_url)
