"""``python -m svc_identity audit-verify``: the verification run against the configured
database (``IDENTITY_DATABASE_URL``) with the service's own secret key (to read the public
halves of its signing keys), printed in Vietnamese and English."""

from __future__ import annotations

import sys

from sqlalchemy.exc import DBAPIError

from egov_shared.db import create_engine, create_sessionmaker
from svc_identity.audit import seals, verify
from svc_identity.secretbox import secret_box
from svc_identity.settings import IdentitySettings


async def audit_verify(settings: IdentitySettings) -> int:
    """0 when the log is intact, 1 (after printing the problems) when it is not, 2 when the
    database cannot be read."""
    box = secret_box(settings.secret_key.get_secret_value() if settings.secret_key else None,
                     settings.secret_key_file)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            report = await verify.verify(session, await seals.public_keys(session, box))
    except (OSError, DBAPIError) as exc:
        print("Không đọc được cơ sở dữ liệu / cannot read the database: "
              f"{type(exc).__name__}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1
