"""edXML packages (QCVN 102:2016/BTTTT): what the document exchange axis carries.

``build_document``/``build_status`` write packages to send; ``parse_package`` reads what arrives,
as hostile input. Both apply the same rules, so we never send what we would refuse.
"""

from .build import build_document, build_status
from .model import (
    NAMESPACE,
    STATUS_CODES,
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    document_id,
)
from .parse import parse_package

__all__ = [
    "NAMESPACE",
    "STATUS_CODES",
    "Attachment",
    "DocumentPackage",
    "Organ",
    "PackageError",
    "ResponseFor",
    "StatusPackage",
    "TraceHeader",
    "build_document",
    "build_status",
    "document_id",
    "parse_package",
]
