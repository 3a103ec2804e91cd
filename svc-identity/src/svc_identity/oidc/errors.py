"""The three ways an OAuth request fails, each answered differently (RFC 6749):

- before the client and redirect URI are trusted: our own HTML error page, never a redirect;
- afterwards, at the authorization endpoint: a redirect carrying ``error`` and ``state``;
- at the token endpoint: a JSON body ``{"error": …, "error_description": …}``.
"""

from __future__ import annotations


class InvalidAuthorizeRequest(Exception):
    """Unknown client, unregistered redirect URI or malformed request: shown to the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class AuthorizeRedirectError(Exception):
    """An error reported back to a trusted redirect URI."""

    def __init__(self, error: str, description: str, *, redirect_uri: str,
                 state: str | None) -> None:
        self.error = error
        self.description = description
        self.redirect_uri = redirect_uri
        self.state = state
        super().__init__(f"{error}: {description}")


class OAuthError(Exception):
    """A token-endpoint error with its RFC 6749 §5.2 code."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        self.error = error
        self.description = description
        self.status = status
        super().__init__(f"{error}: {description}")
