"""Platform administration: the OIDC client registry and token-signing key rotation."""
