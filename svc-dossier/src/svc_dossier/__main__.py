"""``python -m svc_dossier``: serve on the configured host and port, with
``DOSSIER_WORKERS`` processes (each builds its app from the environment)."""

from egov_shared.app import run_service
from svc_dossier.main import create_app
from svc_dossier.settings import DossierSettings

settings = DossierSettings()
run_service(create_app(settings) if settings.workers == 1 else None, settings,
            factory="svc_dossier.main:create_app")
