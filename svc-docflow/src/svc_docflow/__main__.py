"""``python -m svc_docflow``: serve on the configured host and port, with ``DOCFLOW_WORKERS``
processes (PDF signing and checking are CPU-bound Python: a process per core is what scales
them; each worker builds its app from the environment)."""

import sys

from egov_shared.app import run_service
from egov_shared.migrations import migrate
from svc_docflow.main import MIGRATIONS, create_app
from svc_docflow.settings import DocflowSettings

settings = DocflowSettings()
if sys.argv[1:] == ["migrate"]:
    migrate(settings.database_url, MIGRATIONS)
elif sys.argv[1:]:
    sys.exit("usage: python -m svc_docflow [migrate]")
else:
    run_service(create_app(settings) if settings.workers == 1 else None, settings,
                factory="svc_docflow.main:create_app")
