"""The gateway's access table: for every routed prefix (and method where it differs), whether a
caller needs a verified bearer token to pass. Pure data and matching, no I/O.

- ``token``: a valid access token is required; without one, or with an invalid or expired one,
  the gateway answers 401 and the service never sees the request.
- ``public``: anyone may pass; a token that *is* presented is verified all the same (a bad
  one is 401), so that a service never receives a token the gateway knows to be bad.
- ``passthrough``: the OAuth/OIDC protocol endpoints (``/oauth2/``, ``/.well-known/``). They
  authenticate clients themselves (HTTP Basic on the token endpoint, the bearer token on
  UserInfo, with RFC 6749/6750 error bodies the gateway must not replace): the gateway does not
  look at ``Authorization`` there at all.

Default deny: a routed path with no matching rule is answered 404 ``not_found``, exactly as a
path the gateway does not route, so the table never has to be right by accident. The rules
agree with the services' own ``x-access`` declarations (checked by ``test_auth.py``): ``public``
there is ``public`` here, every other rule is ``token``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Requirement = Literal["token", "public", "passthrough"]
READS = frozenset({"GET", "HEAD"})
POST = frozenset({"POST"})


@dataclass(frozen=True, slots=True)
class Rule:
    """``prefix`` (whole segments; a trailing slash is not significant) and what lies under it,
    or with ``exact`` the path itself only; ``methods=None`` means every method."""

    prefix: str
    requirement: Requirement
    methods: frozenset[str] | None = None
    exact: bool = False

    @property
    def base(self) -> str:
        return self.prefix.rstrip("/")

    def allows_method(self, method: str) -> bool:
        return self.methods is None or method in self.methods


# Every prefix of routes.ROUTE_PREFIXES has a catch-all rule (checked by the tests); the
# method-bound rules above it open what the services declare public.
ACCESS_RULES: tuple[Rule, ...] = (
    # svc-identity
    Rule("/.well-known/", "passthrough"),
    Rule("/oauth2/", "passthrough"),
    Rule("/api/v1/citizens", "public", POST, exact=True),  # self-registration
    Rule("/api/v1/citizens", "token"),
    Rule("/api/v1/me", "token"),
    Rule("/api/v1/agencies", "public", READS),  # citizens choose where to submit
    Rule("/api/v1/agencies", "token"),
    Rule("/api/v1/accounts", "token"),
    Rule("/api/v1/officials", "token"),
    Rule("/api/v1/businesses", "token"),
    Rule("/api/v1/verifications", "token"),
    Rule("/api/v1/password-resets", "public", POST),  # request a reset, confirm it
    Rule("/api/v1/password-resets", "token"),
    Rule("/api/v1/certificates", "token"),
    Rule("/pki/", "public"),  # CA certificate, revocation lists, status: for relying parties
    Rule("/api/v1/admin/", "token"),
    Rule("/api/v1/audit", "token"),
    # svc-dossier
    Rule("/api/v1/procedures", "public", READS),  # the procedure catalogue
    Rule("/api/v1/procedures", "token"),
    Rule("/api/v1/dossiers", "token"),
    Rule("/api/v1/public/", "public", READS),  # a dossier's status by its code
    Rule("/api/v1/public/", "token"),
    Rule("/api/v1/calendar/", "public", READS),  # due-date calculator
    Rule("/api/v1/calendar/", "token"),
    # the national payment platform's callback: it authenticates with MaXacThuc, not a token
    Rule("/api/v1/payments/notifications", "public", POST, exact=True),
    Rule("/api/v1/payments", "token"),
    Rule("/api/v1/forms", "token"),  # the register (Mẫu 06), for officials
    Rule("/api/v1/notification-preferences", "token"),  # an applicant's own
    Rule("/api/v1/datastore", "token"),  # an applicant's own data store
    # the national-portal facade: the catalogue is public; the portal calls in with a
    # client_credentials token (scope national-portal), checked by svc-dossier
    Rule("/integration/procedures", "public", READS),
    Rule("/integration/", "token"),
    # svc-docflow (the axis is for partner systems: a client token)
    Rule("/api/v1/documents", "token"),
    Rule("/api/v1/registers", "token"),  # sổ văn bản: clerks and administrators
    Rule("/api/v1/axis/", "token"),
    # svc-reporting
    Rule("/api/v1/reports", "token"),
)


class AccessTable:
    """Resolves (method, path) to the most specific rule: the longest prefix, and at equal
    prefix an exact rule, then a method-bound one. ``None`` means no rule: deny."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.by_base: dict[str, list[Rule]] = {}
        for rule in sorted(rules, key=lambda r: (r.exact, r.methods is not None), reverse=True):
            self.by_base.setdefault(rule.base, []).append(rule)

    def rule_for(self, method: str, path: str) -> Rule | None:
        # HEAD is a GET without a body: never a different rule from GET's.
        method = "GET" if method == "HEAD" else method
        # Walk the path's own prefixes, longest first (a dict lookup each: this runs on every
        # proxied request); one trailing slash is not significant.
        own = path[:-1] if len(path) > 1 and path.endswith("/") else path
        candidate = own
        while candidate:
            for rule in self.by_base.get(candidate, ()):
                if rule.allows_method(method) and (not rule.exact or candidate == own):
                    return rule
            candidate = candidate[:candidate.rfind("/")]
        return None

    def requirement(self, method: str, path: str) -> Requirement | None:
        rule = self.rule_for(method, path)
        return rule.requirement if rule else None
