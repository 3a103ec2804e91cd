"""svc-identity's event handlers: the audit entries of the other services."""
