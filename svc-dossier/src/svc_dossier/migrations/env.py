"""Alembic environment of svc-dossier."""

from egov_shared.migrations import run_env
from svc_dossier.models import metadata
from svc_dossier.settings import DossierSettings

run_env(metadata, lambda: DossierSettings().database_url)
