"""CloudEvents envelope and the platform's versioned event contracts."""

from egov_shared.events.contracts import (
    CONTRACTS,
    STREAMS,
    EventContract,
    contract_for_type,
)
from egov_shared.events.envelope import CloudEvent, new_event

__all__ = ["CONTRACTS", "STREAMS", "CloudEvent", "EventContract", "contract_for_type", "new_event"]
