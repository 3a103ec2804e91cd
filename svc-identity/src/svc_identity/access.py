"""Every route states who may call it, in one word, also published in the OpenAPI document
as ``x-access`` so that the gateway and reviewers can see the rule without reading code.

``public``: anyone, no token. ``authenticated``: any verified access token (enforced by the
route's ``PrincipalDep``). ``client``: an OAuth client authenticating at the token endpoint.
"""

from __future__ import annotations

from typing import Any, Literal

AccessRule = Literal["public", "authenticated", "client"]


def access(rule: AccessRule) -> dict[str, Any]:
    return {"x-access": rule}
