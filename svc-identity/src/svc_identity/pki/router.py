"""HTTP routes of the provincial CA: the public CA certificate and CRL under ``/pki/``, and
certificates (issue, list, read, revoke, remote signing, PKCS#12) under
``/api/v1/certificates``."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Path, Query, Request, Response

from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_identity.access import access
from svc_identity.audit.service import Origin
from svc_identity.deps import SecretBoxDep, SettingsDep
from svc_identity.pki import service, signing
from svc_identity.pki.repository import CertificateFilter
from svc_identity.pki.schemas import (
    SERIAL_PATTERN,
    CertificateOut,
    CertificateRequest,
    CertificateStatus,
    Pkcs12Request,
    RevocationRequest,
    SignatureOut,
    SignatureRequest,
)

router = APIRouter(tags=["certificates"])

PEM = "application/x-pem-file"
CRL_DER = "application/pkix-crl"
PKCS12 = "application/x-pkcs12"
NO_STORE = {"Cache-Control": "no-store"}
Serial = Annotated[str, Path(pattern=SERIAL_PATTERN, description="Hexadecimal serial.")]


def _binary(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}


def _caller(principal: PrincipalDep, request: Request) -> service.Caller:
    return service.Caller(principal, Origin.of(request))


@router.get("/pki/ca.crt", response_class=Response, openapi_extra=access("public"),
            responses={**_binary(PEM), **problem_responses(ServiceUnavailable)})
async def ca_certificate(session: SessionDep) -> Response:
    """Access: public. The CA certificate (PEM), the trust anchor for the province's
    signatures; also the certificates' AIA caIssuers address."""
    row = await service.authority_row(session)
    return Response(row.certificate_pem, media_type=PEM,
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/pki/crl", response_class=Response, openapi_extra=access("public"),
            responses={**_binary(CRL_DER), **problem_responses(ServiceUnavailable)})
async def crl(session: SessionDep, box: SecretBoxDep) -> Response:
    """Access: public. The certificate revocation list (DER), the certificates' CRL
    distribution point; always current."""
    current = await service.current_crl(session, box)
    return Response(current.public_bytes(Encoding.DER), media_type=CRL_DER, headers=NO_STORE)


@router.get("/pki/crl.pem", response_class=Response, openapi_extra=access("public"),
            responses={**_binary(PEM), **problem_responses(ServiceUnavailable)})
async def crl_pem(session: SessionDep, box: SecretBoxDep) -> Response:
    """Access: public. The same CRL in PEM."""
    current = await service.current_crl(session, box)
    return Response(current.public_bytes(Encoding.PEM), media_type=PEM, headers=NO_STORE)


@router.post(
    "/api/v1/certificates", status_code=201, response_model=CertificateOut,
    openapi_extra=access("admin"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed),
)
async def issue_certificate(body: CertificateRequest, principal: PrincipalDep, request: Request,
                            session: SessionDep, runtime: RuntimeDep, box: SecretBoxDep,
                            settings: SettingsDep) -> CertificateOut:
    """Access: admin; an official with the admin role covering the certificate's agency
    (for a personal one, the official's agency). One valid certificate per holder and kind
    (409 ``certificate_exists``). Emits ``identity.certificate.issued``."""
    row = await service.issue_certificate(
        session, outbox=runtime.outbox, box=box, settings=settings,
        caller=_caller(principal, request), request=body)
    return CertificateOut.of(row, now=service.now_utc())


@router.get(
    "/api/v1/certificates", response_model=list[CertificateOut],
    openapi_extra=access("authenticated"), responses=problem_responses(Unauthorized),
)
async def list_certificates(
    principal: PrincipalDep, session: SessionDep,
    account_id: Annotated[str | None, Query(max_length=36)] = None,
    agency_id: Annotated[str | None, Query(max_length=AGENCY_ID_MAX_LENGTH,
                                           pattern=AGENCY_ID_PATTERN)] = None,
    status: CertificateStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CertificateOut]:
    """Access: authenticated; each caller sees their own personal certificates, an official
    also their agency's organisational ones, an administrator all of their subtree. Newest
    first."""
    filters = CertificateFilter(account_id=account_id, agency_id=agency_id, status=status)
    rows = await service.list_certificates(session, principal, filters, limit=limit)
    now = service.now_utc()
    return [CertificateOut.of(row, now=now) for row in rows]


@router.get(
    "/api/v1/certificates/{serial}", response_model=CertificateOut,
    openapi_extra=access("authenticated"), responses=problem_responses(Unauthorized, NotFound),
)
async def get_certificate(serial: Serial, principal: PrincipalDep,
                          session: SessionDep) -> CertificateOut:
    """Access: authenticated; the same visibility as the list, otherwise 404."""
    row = await service.get_visible(session, principal, serial)
    return CertificateOut.of(row, now=service.now_utc())


@router.post(
    "/api/v1/certificates/{serial}/revoke", response_model=CertificateOut,
    openapi_extra=access("official"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed),
)
async def revoke_certificate(serial: Serial, body: RevocationRequest, principal: PrincipalDep,
                             request: Request, session: SessionDep,
                             runtime: RuntimeDep) -> CertificateOut:
    """Access: official; an administrator covering the certificate's agency, or the holder
    of a personal certificate. On the CRL at once; emits ``identity.certificate.revoked``."""
    row = await service.revoke_certificate(
        session, outbox=runtime.outbox, caller=_caller(principal, request), serial=serial,
        reason=body.reason)
    return CertificateOut.of(row, now=service.now_utc())


@router.post(
    "/api/v1/certificates/{serial}/signatures", response_model=SignatureOut,
    openapi_extra=access("official"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed),
)
async def sign_digest(serial: Serial, body: SignatureRequest, principal: PrincipalDep,
                      request: Request, session: SessionDep, box: SecretBoxDep) -> SignatureOut:
    """Access: official; a personal certificate's holder, or for an organisational one a
    clerk, leader or one-stop-shop officer of that very agency. Signs a digest with the key
    kept here (remote signing, e.g. for PAdES); audited."""
    made = await signing.sign_digest(session, box=box, caller=_caller(principal, request),
                                     serial=serial, request=body)
    return SignatureOut(signature=base64.b64encode(made.value).decode("ascii"),
                        signature_algorithm=made.algorithm,
                        certificate_pem=made.certificate.certificate_pem,
                        chain_pem=made.chain_pem)


@router.post(
    "/api/v1/certificates/{serial}/pkcs12", response_class=Response,
    openapi_extra=access("official"),
    responses={**_binary(PKCS12), **problem_responses(
        Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)},
)
async def export_pkcs12(serial: Serial, body: Pkcs12Request, principal: PrincipalDep,
                        request: Request, session: SessionDep, box: SecretBoxDep) -> Response:
    """Access: official; only the holder of a personal certificate. The key, the
    certificate and the CA as PKCS#12 under the caller's passphrase; audited."""
    bundle = await signing.export_pkcs12(session, box=box, caller=_caller(principal, request),
                                         serial=serial, passphrase=body.passphrase)
    disposition = f'attachment; filename="{service.normalize_serial(serial)}.p12"'
    return Response(bundle, media_type=PKCS12,
                    headers={**NO_STORE, "Content-Disposition": disposition})
