"""PDF plumbing shared by the services that print and sign documents: the embedded Vietnamese
typeface, a reportlab-drawn page used as an appearance, and a pyHanko signer whose key stays
in svc-identity (remote signing). No business logic: what a form or an official document
looks like belongs to the service that prints it."""

from egov_shared.pdf.appearance import PdfPage, page_as_xobject
from egov_shared.pdf.remote import MAX_SIGNATURE_BYTES, DigestSigner, RemoteSigner

__all__ = ["MAX_SIGNATURE_BYTES", "DigestSigner", "PdfPage", "RemoteSigner", "page_as_xobject"]
