"""``python -m svc_identity``: serve the app with uvicorn on the configured host and port.
``python -m svc_identity migrate``: the schema to head, then exit.
``python -m svc_identity audit-verify``: the audit log's chain and seals checked; exit 1 naming
the first broken entry."""

from __future__ import annotations

import asyncio
import sys

import uvicorn

from egov_shared.migrations import migrate
from svc_identity.audit.cli import audit_verify
from svc_identity.main import MIGRATIONS_DIR, create_app
from svc_identity.settings import IdentitySettings


def main() -> None:
    settings = IdentitySettings()
    if sys.argv[1:] == ["migrate"]:
        migrate(settings.database_url, MIGRATIONS_DIR)
    elif sys.argv[1:] == ["audit-verify"]:
        sys.exit(asyncio.run(audit_verify(settings)))
    elif sys.argv[1:]:
        sys.exit("usage: python -m svc_identity [migrate | audit-verify]")
    else:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                    log_config=None)


if __name__ == "__main__":
    main()
