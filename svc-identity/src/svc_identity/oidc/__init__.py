"""The platform's OpenID Connect provider: discovery, keys, authorization code + PKCE, tokens."""
