"""``python -m svc_reporting``: serve on the configured host and port."""

from egov_shared.app import run_service
from svc_reporting.main import create_app
from svc_reporting.settings import ReportingSettings

settings = ReportingSettings()
run_service(create_app(settings), settings)
