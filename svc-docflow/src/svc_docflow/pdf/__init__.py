"""The PDF layer of official documents (DOMAIN §5): a draft laid out per NĐ 30/2020, the
leader's PAdES signature, the clerk's number and date, the agency's seal, and the checks a
receiver makes (intact, trusted, not revoked)."""

from svc_docflow.pdf.identity import IdentitySigner, SigningCertificate, SigningUnavailable
from svc_docflow.pdf.layout import SignatureBoxes, layout_of
from svc_docflow.pdf.render import DraftView, render_draft
from svc_docflow.pdf.signing import sign_agency, sign_leader, stamp_number
from svc_docflow.pdf.verify import SignatureCheck, SignatureReport, verify_pdf

__all__ = [
    "DraftView",
    "IdentitySigner",
    "SignatureBoxes",
    "SignatureCheck",
    "SignatureReport",
    "SigningCertificate",
    "SigningUnavailable",
    "layout_of",
    "render_draft",
    "sign_agency",
    "sign_leader",
    "stamp_number",
    "verify_pdf",
]
