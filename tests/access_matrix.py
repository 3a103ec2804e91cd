"""The access-control matrix as data: for every operation of the gateway's merged OpenAPI
document (method, path template), the answer each kind of caller gets, and the request that
asks (``tests/test_access_matrix.py`` sends it, one per cell).

Callers (``PRINCIPALS``): ``anonymous``; ``citizen`` (citizen A, who owns the records: the
dossier, the business); ``other_citizen``; ``business`` (A's business, signed in as itself);
``client`` (a partner system of H56.14, client_credentials, scope ``axis``); and each official
role of ``ROLES`` in a relation to the records' agency H56.14 (``RELATIONS``): ``own`` (at
H56.14), ``sibling`` (H56.16) and ``parent`` (H56, whose subtree holds H56.14); written
``role@relation``.

An expectation is ``AUTHORISED`` (2xx; a write may also answer 409 or 422: the caller passed
authorisation and met the record's state or the body's rules) or the exact refusal: 401 no
token, 403 a role or kind that may not, 404 not the caller's (a record outside their subtree or
of someone else answers like one that does not exist, CONTRIBUTING "Access").

A new route fails ``test_every_operation_has_a_rule_and_every_rule_an_operation`` until it has
an entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

AUTHORISED = 0
ALLOWED_WRITE_ANSWERS = frozenset({409, 422})
ROLES = ("one_stop_officer", "processing_officer", "leader", "clerk", "reporting_officer",
         "admin")
RELATIONS = {"own": "H56.14", "sibling": "H56.16", "parent": "H56"}
PEOPLE = ("anonymous", "citizen", "other_citizen", "business", "client")
PRINCIPALS = (*PEOPLE, *(f"{role}@{rel}" for role in ROLES for rel in RELATIONS))
METHODS = ("get", "post", "put", "patch", "delete")
MISSING = "999999"  # an identifier no record has: every caller allowed to look gets 404
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
Key = tuple[str, str]


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    params: dict[str, Any]
    body: Any
    content: bytes | None
    content_type: str


@dataclass(frozen=True)
class Op:
    """The answers per caller and what to send: ``path`` maps a path parameter to a record of
    the world (``dossier``, ``write_dossier``, …) or, quoted with ``=``, to a literal."""

    expect: Mapping[str, int]
    path: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    content: bytes | None = None
    content_type: str = "application/octet-stream"
    body_from: str | None = None  # the body is this record of the world (e.g. a procedure)
    official_body: Any = None  # officials send this body instead (a counter submission)
    # what an authorised caller may also get because another authorised caller of the same
    # run got there first (404 once a record is deleted); documented where used
    settled: frozenset[int] = frozenset()

    @property
    def record(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.path.items()) or "none"

    def call(self, key: Key, values: Mapping[str, Any], who: str) -> Call:
        url = key[1]
        for name in _parameters(url):
            source = self.path.get(name, name)
            value = source[1:] if source.startswith("=") else str(values[source])
            url = url.replace("{" + name + "}", value)
        body = values[self.body_from] if self.body_from else self.body
        params = {k: values[v[1:-1]] if str(v).startswith("{") else v
                  for k, v in self.params.items()}
        if "@" in who and self.official_body is not None:
            body = self.official_body
        return Call(key[0], url, params, body, self.content, self.content_type)


def _parameters(template: str) -> list[str]:
    return [part.split("}")[0] for part in template.split("{")[1:]]


def operations_of(document: Mapping[str, Any]) -> list[Key]:
    return [(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in METHODS]


def rule(*, anonymous: int = 401, citizen: int = 403, other_citizen: int | None = None,
         business: int | None = None, client: int = 403, roles: tuple[str, ...] = (),
         outside: int = 404, wrong_role: int = 403, wrong_role_outside: int | None = None,
         parent: bool = True, officials: int | None = None,
         forbid_roles: tuple[str, ...] = (), **call: Any) -> Op:
    """``roles`` may, in the own agency (and the parent when ``parent``); the same roles
    elsewhere get ``outside``; other roles ``wrong_role`` (``wrong_role_outside`` outside);
    ``officials`` sets every official's answer at once. ``forbid_roles`` (among ``roles``)
    see the record in their subtree but may not act on it: 403 there."""
    other = other_citizen if other_citizen is not None else (
        404 if citizen == AUTHORISED else citizen)
    expect = {"anonymous": anonymous, "citizen": citizen, "other_citizen": other,
              "business": business if business is not None else other, "client": client}
    for role in ROLES:
        for rel in RELATIONS:
            inside = rel == "own" or (rel == "parent" and parent)
            if officials is not None:
                answer = officials
            elif role in roles:
                answer = (403 if role in forbid_roles else AUTHORISED) if inside else outside
            else:
                answer = wrong_role if inside or wrong_role_outside is None \
                    else wrong_role_outside
            expect[f"{role}@{rel}"] = answer
    return Op(expect=expect, **call)


def public(**call: Any) -> Op:
    return rule(anonymous=AUTHORISED, citizen=AUTHORISED, other_citizen=AUTHORISED,
                business=AUTHORISED, client=AUTHORISED, officials=AUTHORISED, **call)


def signed_in(**call: Any) -> Op:
    return rule(citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED,
                client=AUTHORISED, officials=AUTHORISED, **call)


def persons(**call: Any) -> Op:
    """Any signed-in person (not a partner system)."""
    return rule(citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED,
                officials=AUTHORISED, **call)


def admins(**kw: Any) -> Op:
    return rule(roles=("admin",), **kw)


ALL = ROLES
NOT_FOUND = frozenset({404})
ONLINE = {"procedure_code": "2.000748.000.00.00.H56",
          "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
SPARE = {"code": "spare_procedure"}
OFFICERS = ("one_stop_officer", "processing_officer", "leader", "admin")
REPORTERS = ("reporting_officer", "leader", "admin")
KEEPERS = ("reporting_officer", "admin")
DRAFTERS = ("processing_officer", "leader", "clerk")
DOC_READERS = (*DRAFTERS, "admin")
D, W = {"code": "dossier"}, {"code": "write_dossier"}
AGENCY = {"agency": "H56.14"}
WR = {"report_id": "write_report"}
TAX = "0100233488"
PROCEDURE = {"procedure_code": "2.000748.000.00.00.H56"}

REASON = {"reason": "Kiểm tra quyền truy cập"}
NOTE = {"note": "Kiểm tra quyền truy cập"}


def exact(status: int, **call: Any) -> Op:
    """Every caller, anonymous included, gets ``status`` (a protocol endpoint that judges the
    request itself, not the bearer token)."""
    return rule(anonymous=status, citizen=status, other_citizen=status, business=status,
                client=status, officials=status, **call)


def applicants_only(**call: Any) -> Op:
    """A citizen's or business's own (officials 403)."""
    return rule(citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED, **call)


def dossier_officers(roles: tuple[str, ...], *, citizen: int = 403, **call: Any) -> Op:
    """An action on the dossier: ``roles`` of its agency subtree; officials who cannot see it
    (outside the subtree, or clerks and reporting officers, who never see dossiers) 404; the
    applicant ``citizen``; anyone else's dossier 404."""
    op = rule(roles=roles, citizen=citizen, other_citizen=404, client=404, **call)
    expect = dict(op.expect)
    for rel in RELATIONS:
        for blind in ("clerk", "reporting_officer"):
            expect[f"{blind}@{rel}"] = 404
        for role in ROLES:
            if rel == "sibling":
                expect[f"{role}@{rel}"] = 404
    return replace(op, expect=expect)


def document_officials(roles: tuple[str, ...], **call: Any) -> Op:
    """An action on the outgoing document of H56.14: ``roles`` of its agency subtree (an
    official elsewhere 404 before any role check); one-stop and reporting officers 403."""
    op = rule(roles=roles, **call)
    expect = dict(op.expect)
    for role in ("processing_officer", "leader", "clerk", "admin"):
        expect[f"{role}@sibling"] = 404
    return replace(op, expect=expect)


def incoming(roles: tuple[str, ...] = DOC_READERS, *, write: bool = False,
             **call: Any) -> Op:
    """A paper document H56.14's clerk received (``write``: a second one, for the writes):
    ``roles`` of the receiving agency's subtree; officials of another agency 404 before any
    role check; one-stop and reporting officers 403."""
    op = document_officials(roles, **call)
    record = "write_incoming" if write else "incoming_id"
    return replace(op, path={"document_id": record, "file_id": "incoming_file", **op.path})


def platform_admins(**call: Any) -> Op:
    """Administrators of the province (H56, the parent) only; an agency's administrator 403."""
    return _only_parent(rule(roles=("admin",), outside=403, **call))


def _only_parent(op: Op) -> Op:
    return replace(op, expect={**op.expect, "admin@own": 403})


def drafter_or_clerk(**call: Any) -> Op:
    """The draft's drafter (processing_officer@own) or a clerk of its agency subtree; another
    processing officer 403 ``action_not_allowed``."""
    op = document_officials(("processing_officer", "clerk"), **call)
    return replace(op, expect={**op.expect, "processing_officer@parent": 403})


def seal(roles: tuple[str, ...], **call: Any) -> Op:
    """The organisational certificate of H56.14: seen by its own officials and by
    administrators covering it (404 for everyone else); ``roles`` of H56.14 may act on it."""
    op = rule(citizen=404, client=404, roles=roles, parent=False, wrong_role_outside=404,
              **call)
    expect = {**op.expect, **{f"{role}@parent": 404 for role in ROLES if role != "admin"}}
    expect["admin@parent"] = expect["admin@own"]
    expect["admin@sibling"] = 404
    return replace(op, expect=expect)


def report_reader(roles: tuple[str, ...] = REPORTERS, **call: Any) -> Op:
    return rule(roles=roles, wrong_role_outside=None, **call)


MATRIX: dict[Key, Op] = {
    # the gateway's own
    ("GET", "/healthz"): public(),
    ("GET", "/readyz"): public(),
    ("GET", "/api/v1/events"): rule(officials=403),
    # svc-identity: OpenID Connect (the protocol endpoints judge the request, not the token)
    ("GET", "/.well-known/openid-configuration"): public(),
    ("GET", "/.well-known/jwks.json"): public(),
    ("GET", "/oauth2/authorize"): exact(400),
    ("POST", "/oauth2/authorize"): exact(400),
    ("GET", "/oauth2/logout"): public(),
    ("POST", "/oauth2/logout"): public(),
    # a person's token; a client's has no user (RFC 6750 invalid_token)
    ("GET", "/oauth2/userinfo"): persons(client=401),
    ("GET", "/oauth2/national/start"): exact(400),
    ("GET", "/oauth2/national/callback"): exact(400),
    ("POST", "/oauth2/token"): exact(400),  # no grant: the client authenticates itself
    ("POST", "/oauth2/revoke"): exact(401),  # no client authentication
    ("POST", "/oauth2/introspect"): exact(401),
    # svc-identity: accounts and agencies
    ("POST", "/api/v1/citizens"): public(body={}),
    ("GET", "/api/v1/me"): rule(citizen=AUTHORISED, other_citizen=AUTHORISED,
                                business=AUTHORISED, client=404, officials=AUTHORISED),
    ("GET", "/api/v1/me/access-log"): applicants_only(),
    ("POST", "/api/v1/me/password"): persons(body={"current_password": "sai-Mat-khau-1",
                                                   "new_password": "Mat-khau-moi-12345"}),
    ("GET", "/api/v1/agencies"): public(),
    ("POST", "/api/v1/agencies"): admins(body={
        "id": "H56.14.99", "parent_id": "H56.14", "name": "Phòng thử", "kind": "unit"}),
    ("GET", "/api/v1/agencies/{agency_id}"): public(),
    ("PATCH", "/api/v1/agencies/{agency_id}"): admins(body={}),
    ("GET", "/api/v1/officials"): admins(outside=AUTHORISED),  # each sees their subtree
    ("POST", "/api/v1/officials"): admins(body={
        "username": "mx.new", "full_name": "Phạm Văn Mới", "agency_id": "H56.14",
        "roles": [], "password": "demo-Password-1"}),
    ("GET", "/api/v1/officials/colleagues"): rule(officials=AUTHORISED),
    ("GET", "/api/v1/officials/{official_id}"): admins(),
    ("PATCH", "/api/v1/officials/{official_id}"): admins(body={"position": "Chuyên viên"}),
    ("POST", "/api/v1/officials/{official_id}/roles"): admins(body={"role": "clerk"}),
    # 404 role_not_held once another administrator revoked it
    ("DELETE", "/api/v1/officials/{official_id}/roles/{role}"): admins(settled=NOT_FOUND),
    ("POST", "/api/v1/officials/{official_id}/disable"): admins(),
    ("POST", "/api/v1/officials/{official_id}/enable"): admins(),
    ("POST", "/api/v1/businesses"): rule(citizen=AUTHORISED, other_citizen=AUTHORISED,
                                         business=403, body={}),
    ("GET", "/api/v1/businesses"): rule(
        citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED,
        roles=("one_stop_officer", "admin"), outside=AUTHORISED, params={"tax_code": TAX},
    ),
    ("GET", "/api/v1/businesses/{tax_code}"): rule(
        citizen=AUTHORISED, business=AUTHORISED, client=404,
        roles=("one_stop_officer", "admin"), outside=AUTHORISED, wrong_role=404),
    # citizen A's card, as the officer read it
    ("POST", "/api/v1/verifications/counter"): rule(
        roles=("one_stop_officer", "admin"), outside=AUTHORISED, body_from="counter_body"),
    ("POST", "/api/v1/verifications/population"): rule(
        citizen=AUTHORISED, other_citizen=AUTHORISED, business=403, body={}),
    ("GET", "/api/v1/verifications/me"): rule(
        citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED, client=404,
        officials=AUTHORISED),
    ("POST", "/api/v1/password-resets"): public(body={}),
    ("POST", "/api/v1/password-resets/confirm"): public(body={}),
    # svc-identity: the provincial CA (no certificate in the world: serial 0)
    ("GET", "/pki/ca.crt"): public(),
    ("GET", "/pki/crl"): public(),
    ("GET", "/pki/crl.pem"): public(),
    ("POST", "/api/v1/certificates"): admins(body={"kind": "organisational",
                                                   "agency_id": "H56.14"}),
    ("GET", "/api/v1/certificates"): signed_in(),
    # the seal of H56.14 (an organisational certificate); writes on a personal certificate
    # of another official of H56.14
    # (an official sees the seal of their very agency, an administrator those of the
    # subtree; who cannot see a certificate gets 404, who sees it but may not act 403)
    ("GET", "/api/v1/certificates/{serial}"): seal(ALL),
    ("POST", "/api/v1/certificates/{serial}/revoke"): rule(
        citizen=404, client=404, roles=("admin",), wrong_role=404,
        path={"serial": "write_serial"}, body={"reason": "superseded"}),
    ("POST", "/api/v1/certificates/{serial}/signatures"): seal(
        ("clerk", "leader", "one_stop_officer"), body={
            "digest_algorithm": "sha256",
            "digest": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}),
    # only the holder (an official none of the callers is): administrators see it, 403
    ("POST", "/api/v1/certificates/{serial}/pkcs12"): rule(
        citizen=404, client=404, roles=("admin",), forbid_roles=("admin",), wrong_role=404,
        path={"serial": "write_serial"}, body={"passphrase": "mot-cum-tu-bi-mat"}),
    # svc-identity: administration
    ("GET", "/api/v1/admin/clients"): admins(outside=AUTHORISED),
    ("POST", "/api/v1/admin/clients"): admins(body={
        "name": "Hệ thống thử", "auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"], "scopes": ["axis"], "agency_id": "H56.14"}),
    ("GET", "/api/v1/admin/clients/{client_id}"): admins(),
    ("PATCH", "/api/v1/admin/clients/{client_id}"): admins(body={"name": "Hệ thống đối tác"}),
    ("POST", "/api/v1/admin/clients/{client_id}/secret"): admins(),
    # platform administrators only: the parent H56 is the province
    ("GET", "/api/v1/admin/signing-keys"): platform_admins(),
    ("POST", "/api/v1/admin/signing-keys/rotate"): platform_admins(),
    ("GET", "/api/v1/audit"): admins(outside=AUTHORISED),
    ("GET", "/api/v1/audit/verify"): platform_admins(),
    # svc-dossier: the procedure catalogue (writes on a procedure no one has, 0: an
    # administrator's subtree check needs the procedure's agency, so every admin gets 404)
    ("GET", "/api/v1/procedures"): public(),
    ("POST", "/api/v1/procedures"): admins(outside=403, body_from="procedure_body"),
    ("POST", "/api/v1/procedures/import"): admins(outside=AUTHORISED, body={}),
    ("GET", "/api/v1/procedures/{code}"): public(path={"code": "procedure"}),
    ("PUT", "/api/v1/procedures/{code}"): admins(body_from="procedure_fields", path=SPARE),
    ("PATCH", "/api/v1/procedures/{code}"): admins(body={"field": "Lý lịch tư pháp"},
                                                   path=SPARE),
    ("DELETE", "/api/v1/procedures/{code}"): admins(path=SPARE),
    ("GET", "/api/v1/procedures/{code}/national"): public(path={"code": "procedure"}),
    ("GET", "/integration/procedures"): public(),
    ("GET", "/integration/procedures/{code}"): public(path={"code": "procedure"}),
    # svc-dossier: dossiers (reads on citizen A's dossier, writes on another of A's)
    # applicants online, one-stop officers at the counter for the H56.14 desk
    ("POST", "/api/v1/dossiers"): rule(
        citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED,
        roles=("one_stop_officer", "admin"), outside=403, body=ONLINE, official_body={
            **ONLINE, "channel": "counter", "agency_id": "H56.14", "applicant": {
                "id_number": "038195001234", "full_name": "Nguyễn Thị Hoa",
                "phone": "0912345678"}}),
    ("GET", "/api/v1/dossiers"): rule(
        citizen=AUTHORISED, other_citizen=AUTHORISED, business=AUTHORISED,
        roles=OFFICERS, outside=AUTHORISED),
    ("GET", "/api/v1/dossiers/{code}"): dossier_officers(ALL, citizen=AUTHORISED, path=D),
    ("GET", "/api/v1/public/dossiers/{code}"): public(path=D),
    ("GET", "/api/v1/dossiers/{code}/history"): dossier_officers(
        ALL, citizen=AUTHORISED, path=D),
    ("POST", "/api/v1/dossiers/{code}/receive"): dossier_officers(
        ("one_stop_officer",), path=W),
    ("POST", "/api/v1/dossiers/{code}/refuse"): dossier_officers(
        ("one_stop_officer",), path=W, body=REASON),
    ("POST", "/api/v1/dossiers/{code}/request-supplement"): dossier_officers(
        ("one_stop_officer", "processing_officer"), path=W,
        body={**REASON, "missing": ["Bản sao CCCD"]}),
    ("POST", "/api/v1/dossiers/{code}/supplement"): dossier_officers(
        ("one_stop_officer",), citizen=AUTHORISED, path=W, body={}),
    ("POST", "/api/v1/dossiers/{code}/hand-over"): dossier_officers(
        ("processing_officer",), path=W, body={"to_agency_id": "H56.14.01",
                                               "deadline_days": 3}),
    ("POST", "/api/v1/dossiers/{code}/request-payment"): dossier_officers(
        ("one_stop_officer", "processing_officer"), path=W, body={}),
    ("POST", "/api/v1/dossiers/{code}/payment-received"): dossier_officers(
        ("one_stop_officer",), path=W, body={}),
    ("POST", "/api/v1/dossiers/{code}/decide"): dossier_officers(
        ("leader",), path=W, body={"outcome": "approved", "note": "Đồng ý"}),
    ("POST", "/api/v1/dossiers/{code}/return-result"): dossier_officers(
        ("one_stop_officer",), path=W, body={}),
    ("POST", "/api/v1/dossiers/{code}/withdraw"): dossier_officers(
        (), citizen=AUTHORISED, path=W, body={}),
    ("POST", "/api/v1/dossiers/{code}/stop"): dossier_officers(
        ("processing_officer",), path=W, body=REASON),
    ("POST", "/api/v1/dossiers/{code}/apologise"): dossier_officers(
        ("leader",), path=W, body={**REASON, "new_due_at": "2030-01-02T10:00:00+07:00"}),
    ("GET", "/api/v1/dossiers/{code}/forms/{form}"): dossier_officers(
        ALL, citizen=AUTHORISED, path=D),
    ("GET", "/api/v1/forms/06"): rule(roles=OFFICERS, outside=403, params={
        **AGENCY, "from": "2026-01-01", "to": "2026-01-31"}),
    ("POST", "/api/v1/dossiers/{code}/rating"): dossier_officers(
        (), citizen=AUTHORISED, path=W, body={"scores": {
            "access": 5, "procedure": 4, "officer": 5, "result": 4}}),
    # not rated (it is not finished): whoever may see it gets 404 not_rated, like the others
    ("GET", "/api/v1/dossiers/{code}/rating"): dossier_officers(
        (), citizen=404, wrong_role=404, path=D),
    ("GET", "/api/v1/dossiers/{code}/payments"): dossier_officers(
        ALL, citizen=AUTHORISED, path=D),
    ("POST", "/api/v1/dossiers/{code}/payments"): dossier_officers(
        (), citizen=AUTHORISED, path=W, body={}),
    ("POST", "/api/v1/payments/notifications"): exact(400, body={}),
    ("POST", "/api/v1/payments/{reference}/reconcile"): rule(citizen=404, client=404,
                                                             officials=404),
    ("GET", "/api/v1/payments/{reference}/receipt"): rule(citizen=404, client=404,
                                                          officials=404),
    ("GET", "/api/v1/notification-preferences"): applicants_only(),
    ("PUT", "/api/v1/notification-preferences"): applicants_only(body={
        "email": "an@example.vn", "email_enabled": True, "sms_enabled": False}),
    ("GET", "/api/v1/dossiers/{code}/attachments"): dossier_officers(
        ALL, citizen=AUTHORISED, path=D),
    # a component file (processing officers and leaders upload only results, in status 4)
    ("POST", "/api/v1/dossiers/{code}/attachments"): dossier_officers(
        ("one_stop_officer",), citizen=AUTHORISED, path=W,
        params={"component": "{component}", "filename": "a.pdf"}, content=PDF,
        content_type="application/pdf"),
    # the owner's store is empty: 404 document_not_found (409 once the dossier moved on)
    ("POST", "/api/v1/dossiers/{code}/attachments/reuse"): dossier_officers(
        (), citizen=AUTHORISED, path=W, body={"component": "TP1", "document_id": 1},
        settled=NOT_FOUND),
    ("GET", "/api/v1/dossiers/{code}/attachments/{attachment_id}"): dossier_officers(
        ALL, citizen=AUTHORISED, path={"code": "dossier", "attachment_id": "attachment_id"}),
    ("DELETE", "/api/v1/dossiers/{code}/attachments/{attachment_id}"): dossier_officers(
        (), citizen=AUTHORISED, path={"code": "write_dossier",
                                      "attachment_id": "write_attachment"}),
    ("POST", "/api/v1/dossiers/{code}/attachments/{attachment_id}/signature"):
        dossier_officers(("leader",), path={"code": "dossier",
                                            "attachment_id": "attachment_id"}, body={}),
    ("GET", "/api/v1/datastore/documents"): applicants_only(),
    # nothing in anyone's store: the owner's 404 is the same as anyone else's
    ("GET", "/api/v1/datastore/documents/{document_id}"): rule(
        citizen=404, path={"document_id": "=" + MISSING}),
    # svc-dossier: the working calendar
    ("GET", "/api/v1/calendar/due-date"): public(params={
        **PROCEDURE, "agency": "H56.14", "duration": 5,
        "start": "2026-01-05T09:00:00+07:00"}),
    ("GET", "/api/v1/calendar/office-hours/{agency_id}"): public(),
    ("PUT", "/api/v1/calendar/office-hours/{agency_id}"): admins(outside=403, body={
        "sessions": {day: [["07:00", "11:30"], ["13:30", "17:00"]]
                     for day in ("mon", "tue", "wed", "thu", "fri")}}),
    ("DELETE", "/api/v1/calendar/office-hours/{agency_id}"): admins(outside=403),
    ("GET", "/api/v1/calendar/overrides"): public(),
    ("POST", "/api/v1/calendar/overrides"): admins(outside=403, body={
        "date": "2030-01-02", "kind": "day_off", "reason": "Thử", "agency_id": "H56.14",
        "legal_reference": "Thông báo thử"}),
    # (calendars are public: another agency's administrator is told 403 agency_not_covered;
    # 404 override_not_found once another administrator deleted it)
    ("DELETE", "/api/v1/calendar/overrides/{override_id}"): admins(outside=403,
                                                                   settled=NOT_FOUND),
    # svc-dossier: the national-portal facade (its own client, scope national-portal)
    ("POST", "/integration/dossiers"): rule(officials=403, body={
        "MaHoSo": "H56.14-260105-9001", "MaTTHC": "2.000748.000.00.00.H56",
        "MaCoQuan": "H56.14", "NgayNopHoSo": "20260105090000",
        "ChuHoSo": {"HoVaTen": "Nguyễn Thị Hoa", "SoDinhDanh": "038195001234"}}),
    ("GET", "/integration/dossiers/{code}"): rule(officials=403, path=D),
    ("GET", "/integration/dossiers/{code}/sync"): admins(path=D),
    ("POST", "/integration/reconciliation"): admins(outside=AUTHORISED),
    # svc-docflow: registers (of H56.14: the first default register)
    ("GET", "/api/v1/documents/dossier-refs/{code}"): document_officials(
        ("processing_officer", "leader", "clerk", "admin"), path=D),
    ("POST", "/api/v1/registers"): rule(roles=("clerk", "admin"), outside=403, body={
        "agency_id": "H56.14", "direction": "outgoing", "name": "Sổ thử",
        "issuer_notation": "STP", "doc_types": ["QĐ"]}),
    ("GET", "/api/v1/registers"): rule(roles=("clerk", "admin"), outside=AUTHORISED),
    ("GET", "/api/v1/registers/{register_id}"): rule(roles=("clerk", "admin")),
    ("PATCH", "/api/v1/registers/{register_id}"): rule(roles=("clerk", "admin"),
                                                       body={"name": "Sổ văn bản đi"}),
    ("POST", "/api/v1/registers/{register_id}/deactivate"): rule(roles=("clerk", "admin"),
                                                                 path={"register_id":
                                                                       "write_register"}),
    # svc-docflow: outgoing documents (a draft of H56.14 by its processing officer)
    # drafters write for their own agency (the body names leader@own as the signer)
    ("POST", "/api/v1/documents"): rule(roles=DRAFTERS, outside=AUTHORISED,
                                        body_from="document_body"),
    ("GET", "/api/v1/documents"): rule(roles=DOC_READERS, outside=AUTHORISED),
    ("GET", "/api/v1/documents/{document_id}"): document_officials(DOC_READERS),
    ("PATCH", "/api/v1/documents/{document_id}"): drafter_or_clerk(body={"summary": "Tóm"}),
    ("POST", "/api/v1/documents/{document_id}/pdf"): drafter_or_clerk(
        content=PDF, content_type="application/pdf"),
    ("GET", "/api/v1/documents/{document_id}/pdf"): document_officials(DOC_READERS),
    ("POST", "/api/v1/documents/{document_id}/pdf/render"): drafter_or_clerk(),
    ("POST", "/api/v1/documents/{document_id}/submit"): drafter_or_clerk(),
    ("POST", "/api/v1/documents/{document_id}/approve"): document_officials(("leader",)),
    ("POST", "/api/v1/documents/{document_id}/return"): document_officials(
        ("leader",), body=NOTE),
    # only the leader the draft names (leader@own): 403 not_the_signer for the others
    ("POST", "/api/v1/documents/{document_id}/sign"): replace(
        document_officials(("leader",)), expect={
            **document_officials(("leader",)).expect, "leader@parent": 403}),
    ("POST", "/api/v1/documents/{document_id}/issue"): document_officials(("clerk",)),
    ("POST", "/api/v1/documents/{document_id}/send"): document_officials(("clerk",),
                                                                          body={}),
    ("POST", "/api/v1/documents/{document_id}/recall"): document_officials(
        ("clerk", "leader"), body=REASON),
    ("POST", "/api/v1/documents/{document_id}/update"): document_officials(
        ("clerk", "leader"), body={**REASON, "subject": "V/v thử"}),
    # svc-docflow: incoming documents
    ("POST", "/api/v1/documents/incoming/packages"): rule(
        roles=("clerk",), outside=AUTHORISED, content=b"<edXML/>",
        content_type="application/xml"),
    ("POST", "/api/v1/documents/incoming/scans"): rule(
        roles=("clerk", "admin"), outside=AUTHORISED, body={}),
    ("GET", "/api/v1/documents/incoming"): rule(roles=DOC_READERS,
                                                outside=AUTHORISED),
    ("GET", "/api/v1/documents/incoming/{document_id}"): incoming(),
    ("GET", "/api/v1/documents/incoming/{document_id}/history"): incoming(),
    ("GET", "/api/v1/documents/incoming/{document_id}/files/{file_id}"): incoming(),
    ("POST", "/api/v1/documents/incoming/{document_id}/register"): incoming(
        ("clerk",), write=True),
    ("POST", "/api/v1/documents/incoming/{document_id}/refuse"): incoming(
        ("clerk",), write=True, body=REASON),
    ("POST", "/api/v1/documents/incoming/{document_id}/assign"): incoming(
        ("leader",), write=True, body={"lead_unit_id": "H56.14.01"}),
    # for the officers of the lead (co-operating) unit it is assigned to, H56.14.01: none of
    # the callers, so whoever sees it gets 403 lead_unit_only (cooperating_unit_only)
    ("POST", "/api/v1/documents/incoming/{document_id}/progress"): incoming(
        (), write=True, body=NOTE),
    ("POST", "/api/v1/documents/incoming/{document_id}/complete"): incoming(
        (), write=True, body=NOTE),
    ("POST", "/api/v1/documents/incoming/{document_id}/contributions"): incoming(
        (), write=True, body=NOTE),
    # svc-docflow: the national axis (a partner client with the axis scope)
    ("POST", "/api/v1/axis/packages"): rule(client=AUTHORISED, officials=403,
                                            content=b"<edXML/>",
                                            content_type="application/xml"),
    ("GET", "/api/v1/axis/packages"): admins(outside=AUTHORISED),
    # svc-reporting (agency=H56.14; the report of H56.14, a second one for the writes)
    ("GET", "/api/v1/reports/kpis"): report_reader(outside=403, params=AGENCY),
    ("GET", "/api/v1/reports/dashboard/series"): report_reader(outside=403, params=AGENCY),
    ("GET", "/api/v1/reports/dashboard/agencies"): report_reader(outside=403, params=AGENCY),
    ("GET", "/api/v1/reports/dashboard/overview"): report_reader(outside=AUTHORISED),
    ("GET", "/api/v1/reports/index-766"): report_reader(outside=403, params={
        **AGENCY, "from": "2026-01-01", "to": "2026-01-31"}),
    ("GET", "/api/v1/reports/index-766/ranking"): report_reader(outside=403, params={
        **AGENCY, "from": "2026-01-01", "to": "2026-01-31"}),
    ("GET", "/api/v1/reports/index-766/versions"): report_reader(outside=AUTHORISED),
    ("POST", "/api/v1/reports/index-766/versions"): admins(outside=AUTHORISED, body={}),
    ("GET", "/api/v1/reports/index-766/versions/{version}"): report_reader(outside=AUTHORISED),
    ("PUT", "/api/v1/reports/index-766/versions/{version}"): admins(outside=AUTHORISED,
                                                                     body={}),
    ("GET", "/api/v1/reports/index-766/manual-values"): report_reader(outside=403,
                                                                       params=AGENCY),
    ("PUT", "/api/v1/reports/index-766/manual-values"): report_reader(
        KEEPERS, outside=403, body={"agency_id": "H56.14", "indicator": "TTHC_MANUAL",
                                    "valid_from": "2026-01-01", "ratio": 0.5, "note": "Thử"}),
    ("GET", "/api/v1/reports/targets"): report_reader(outside=AUTHORISED),
    ("POST", "/api/v1/reports/targets"): report_reader(KEEPERS, outside=403, body={
        "year": 2026, "code": "MX3", "name": "Tỷ lệ thử", "unit": "percent",
        "plan_value": 90, "owner_agency_id": "H56.14", "source": {"kind": "manual"}}),
    ("GET", "/api/v1/reports/targets/{target_id}"): report_reader(),
    ("PATCH", "/api/v1/reports/targets/{target_id}"): report_reader(KEEPERS, body={}),
    # 404 target_not_found once another caller deleted it
    ("DELETE", "/api/v1/reports/targets/{target_id}"): report_reader(
        KEEPERS, path={"target_id": "delete_target"}, settled=NOT_FOUND),
    ("PUT", "/api/v1/reports/targets/{target_id}/actual"): report_reader(
        KEEPERS, body={"value": 50, "note": "Thử", "evidence_url": "https://stp.example.vn/a"}),
    ("GET", "/api/v1/reports/templates"): report_reader(outside=AUTHORISED),
    ("PUT", "/api/v1/reports/templates/{code}"): admins(outside=AUTHORISED, body={},
                                                        path={"code": "=monthly"}),
    ("POST", "/api/v1/reports/periodic"): report_reader(outside=403, body={
        "kind": "monthly", "period": "2026-02", "agency_id": "H56.14"}),
    ("GET", "/api/v1/reports/periodic"): report_reader(outside=AUTHORISED),
    ("GET", "/api/v1/reports/periodic/{report_id}.{fmt}"): report_reader(),
    ("GET", "/api/v1/reports/periodic/{report_id}/export"): report_reader(
        params={"format": "csv"}),
    ("GET", "/api/v1/reports/periodic/{report_id}"): report_reader(),
    ("PUT", "/api/v1/reports/periodic/{report_id}"): report_reader(path=WR, body=NOTE),
    # 404 report_not_found once another caller deleted it
    ("DELETE", "/api/v1/reports/periodic/{report_id}"): report_reader(
        path={"report_id": "delete_report"}, settled=NOT_FOUND),
    ("GET", "/api/v1/reports/periodic/{report_id}/versions"): report_reader(),
    ("POST", "/api/v1/reports/periodic/{report_id}/regenerate"): report_reader(path=WR),
    ("POST", "/api/v1/reports/periodic/{report_id}/submit"): report_reader(KEEPERS, path=WR),
    ("POST", "/api/v1/reports/periodic/{report_id}/corrections"): report_reader(
        path=WR, body=REASON),
}
