"""``python -m svc_reporting``: serve on the configured host and port.
``python -m svc_reporting rebuild``: rebuild the read model from JetStream (service stopped).
``python -m svc_reporting migrate``: the schema to head, then exit."""

import asyncio
import sys

from egov_shared.app import run_service
from egov_shared.migrations import migrate
from svc_reporting.main import MIGRATIONS, create_app
from svc_reporting.readmodel.rebuild import rebuild
from svc_reporting.settings import ReportingSettings

settings = ReportingSettings()
if sys.argv[1:] == ["rebuild"]:
    report = asyncio.run(rebuild(settings, MIGRATIONS))
    print(f"rebuilt from {report.events} events in {report.seconds:.1f} s "
          f"({report.rate:.0f} events/s; {report.skipped} unreadable skipped)")
elif sys.argv[1:] == ["migrate"]:
    migrate(settings.database_url, MIGRATIONS)
elif sys.argv[1:]:
    sys.exit("usage: python -m svc_reporting [rebuild | migrate]")
else:
    run_service(create_app(settings), settings)
