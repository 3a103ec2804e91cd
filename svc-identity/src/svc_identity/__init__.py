"""svc-identity: accounts, the agency tree, roles and the platform's OIDC provider."""
