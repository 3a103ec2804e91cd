"""What the axis and the incoming slice need wherever they run (a request, the axis consumer):
the settings, the outbox, and the agency directory of svc-identity."""

from __future__ import annotations

from dataclasses import dataclass

from egov_shared.app import ServiceRuntime
from egov_shared.messaging.outbox import Outbox
from svc_docflow.common.agencies import AgencyDirectory, directory
from svc_docflow.models import messaging
from svc_docflow.settings import DocflowSettings


@dataclass(frozen=True)
class AxisContext:
    settings: DocflowSettings
    outbox: Outbox

    @property
    def directory(self) -> AgencyDirectory:
        return directory(self.settings.identity_url)

    @classmethod
    def of(cls, runtime: ServiceRuntime) -> AxisContext:
        settings = runtime.settings
        assert isinstance(settings, DocflowSettings)
        return cls(settings, runtime.outbox)

    @classmethod
    def for_consumers(cls, settings: DocflowSettings) -> AxisContext:
        """Consumers get a session, not the runtime: the same outbox table and source."""
        return cls(settings, Outbox(messaging.outbox, source=f"/{settings.service_name}",
                                    payloads=messaging.payloads))
