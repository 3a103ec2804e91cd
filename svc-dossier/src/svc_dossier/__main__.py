"""``python -m svc_dossier``: serve on the configured host and port, with
``DOSSIER_WORKERS`` processes (each builds its app from the environment).
``python -m svc_dossier migrate``: the schema to head, then exit."""

import sys

from egov_shared.app import run_service
from egov_shared.migrations import migrate
from svc_dossier.main import MIGRATIONS, create_app
from svc_dossier.settings import DossierSettings

settings = DossierSettings()
if sys.argv[1:] == ["migrate"]:
    migrate(settings.database_url, MIGRATIONS)
elif sys.argv[1:]:
    sys.exit("usage: python -m svc_dossier [migrate]")
else:
    run_service(create_app(settings) if settings.workers == 1 else None, settings,
                factory="svc_dossier.main:create_app")
