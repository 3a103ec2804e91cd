"""``python -m svc_dossier``: serve on the configured host and port."""

from egov_shared.app import run_service
from svc_dossier.main import create_app
from svc_dossier.settings import DossierSettings

settings = DossierSettings()
run_service(create_app(settings), settings)
