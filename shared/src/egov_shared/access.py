"""Every route states who may call it, in one word, also published in the OpenAPI document as
``x-access`` so that the gateway, its tests and reviewers see the rule without reading code.

``public``: anyone, no token. ``authenticated``: any verified access token (enforced by the
route's ``PrincipalDep``). ``client``: an OAuth client authenticating itself at the token
endpoint. ``official``: an official's token with the roles the route checks
(``require_roles``). ``admin``: a platform administrator's token.

The gateway lets ``public`` routes through without a token and requires a verified token for
every other rule (the OAuth protocol endpoints excepted: they authenticate clients themselves).
"""

from __future__ import annotations

from typing import Any, Final, Literal

ACCESS_EXTENSION: Final = "x-access"
AccessRule = Literal["public", "authenticated", "client", "official", "admin"]


def access(rule: AccessRule) -> dict[str, Any]:
    """``openapi_extra`` for a route: ``@router.get(..., openapi_extra=access("public"))``."""
    return {ACCESS_EXTENSION: rule}
