"""``python -m svc_docflow``: serve on the configured host and port."""

from egov_shared.app import run_service
from svc_docflow.main import create_app
from svc_docflow.settings import DocflowSettings

settings = DocflowSettings()
run_service(create_app(settings), settings)
