"""Packages we receive: hostile bytes to checked dataclasses, or a ``PackageError``.

Namespace-aware: an element counts by its namespace, whatever prefix spells it (the builder
always writes ``edXML``). The wrapper ``edXML`` may be missing (an envelope at the root), and
the trace block's business element is read under both spellings, ``Bussiness`` (the standard's)
and ``Business`` (what some SDK versions write). Inside ``AttachmentEncoded``, outside the
envelope, elements are matched by local name: partner SDKs disagree on its namespace.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from typing import TypeAlias

from lxml import etree

from .model import (
    NAMESPACE,
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    read_date,
    read_timestamp,
)
from .rules import bad_attachment, check_document, check_status, invalid, missing
from .safexml import read_xml

Element: TypeAlias = etree._Element

_COUNT = re.compile(r"\d{1,9}", re.ASCII)
_BASE64_SPACE = str.maketrans("", "", " \t\r\n")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def parse_package(data: bytes, *, max_bytes: int,
                  max_attachments: int = 20) -> DocumentPackage | StatusPackage:
    """Read a package from the axis; refuse anything that is not a sound edXML package."""
    root = read_xml(data, max_bytes)
    envelope = _envelope(root)
    header = envelope.find(_q("edXMLHeader"))
    if header is None:
        raise _not_edxml("thiếu edXMLHeader")
    message = header.find(_q("MessageHeader"))
    if message is not None:
        return _document(root, header, message, max_attachments)
    status = header.find(_q("Status"))
    if status is not None:
        return _status(status)
    raise _not_edxml("edXMLHeader không có MessageHeader hay Status")


def _envelope(root: Element) -> Element:
    name = etree.QName(root)
    if name.namespace != NAMESPACE:
        raise _not_edxml(f"phần tử gốc phải thuộc không gian tên {NAMESPACE}")
    if name.localname == "edXMLEnvelope":
        return root
    envelope = root.find(_q("edXMLEnvelope")) if name.localname == "edXML" else None
    if envelope is None:
        raise _not_edxml("không tìm thấy edXMLEnvelope")
    return envelope


def _document(root: Element, header: Element, message: Element,
              max_attachments: int) -> DocumentPackage:
    business_doc_type, business_reason = _business(header)
    package = DocumentPackage(
        from_organ=_organ(message.find(_q("From")), "From"),
        to_organs=tuple(_organ(to, "To") for to in message.findall(_q("To"))),
        code_number=_need(message, "Code/CodeNumber"),
        code_notation=_need(message, "Code/CodeNotation"),
        place=_need(message, "PromulgationInfo/Place"),
        promulgation_date=_need_date(message, "PromulgationInfo/PromulgationDate"),
        type=_need_count(message, "DocumentType/Type"),
        type_name=_need(message, "DocumentType/TypeName"),
        subject=_need(message, "Subject"),
        content=_text(message, "Content"),
        signer_competence=_text(message, "SignerInfo/Competence"),
        signer_position=_text(message, "SignerInfo/Position"),
        signer_full_name=_text(message, "SignerInfo/FullName"),
        due_date=_date(message, "DueDate"),
        to_places=_texts(message, "ToPlaces/Place"),
        priority=_count(message, "OtherInfo/Priority") or 0,
        steering_type=_text(message, "SteeringType"),
        document_id=_need(message, "DocumentId"),
        trace=_trace(header),
        business_doc_type=business_doc_type,
        business_reason=business_reason,
        attachments=_attachments(root, max_attachments),
        response_for=tuple(_response_for(answered, "ResponseFor")
                           for answered in message.findall(_q("ResponseFor"))),
        sphere_of_promulgation=_text(message, "OtherInfo/SphereOfPromulgation"),
        typer_notation=_text(message, "OtherInfo/TyperNotation"),
        promulgation_amount=_count(message, "OtherInfo/PromulgationAmount"),
        page_amount=_count(message, "OtherInfo/PageAmount"),
        appendixes=_texts(message, "OtherInfo/Appendixes/Appendix"),
    )
    check_document(package)
    return package


def _status(status: Element) -> StatusPackage:
    answered = status.find(_q("ResponseFor"))
    if answered is None:
        raise missing("ResponseFor")
    package = StatusPackage(
        from_organ=_organ(status.find(_q("From")), "From"),
        response_for=_response_for(answered, "ResponseFor"),
        status_code=_status_code(_need(status, "StatusCode")),
        description=_text(status, "Description"),
        timestamp=_need_timestamp(status, "Timestamp"),
        staff_department=_text(status, "StaffInfo/Department"),
        staff_name=_text(status, "StaffInfo/Staff"),
        staff_email=_text(status, "StaffInfo/Email"),
        staff_mobile=_text(status, "StaffInfo/Mobile"),
    )
    check_status(package)
    return package


def _status_code(text: str) -> str:
    # Some senders drop the leading zero ("3" for "03").
    return text.zfill(2) if len(text) == 1 and text.isascii() and text.isdigit() else text


def _organ(element: Element | None, at: str) -> Organ:
    if element is None:
        raise missing(at)
    return Organ(
        organ_id=_need(element, "OrganId", at), organ_name=_need(element, "OrganName", at),
        organ_add=_text(element, "OrganAdd"), email=_text(element, "Email"),
        telephone=_text(element, "Telephone"), website=_text(element, "Website"),
        fax=_text(element, "Fax"),
        organization_in_charge=_text(element, "OrganizationInCharge"),
    )


def _response_for(element: Element, at: str) -> ResponseFor:
    return ResponseFor(
        organ_id=_need(element, "OrganId", at), code=_need(element, "Code", at),
        promulgation_date=_need_date(element, "PromulgationDate", at),
        document_id=_need(element, "DocumentId", at),
    )


def _trace(header: Element) -> tuple[TraceHeader, ...]:
    return tuple(
        TraceHeader(organ_id=_need(hop, "OrganId", "TraceHeader"),
                    timestamp=_need_timestamp(hop, "Timestamp", "TraceHeader"))
        for hop in header.findall(_path("TraceHeaderList/TraceHeader")))


def _business(header: Element) -> tuple[int, str | None]:
    """A package without the block is an ordinary new document (type 0)."""
    for spelling in ("Bussiness", "Business"):
        business = header.find(_path(f"TraceHeaderList/{spelling}"))
        if business is not None:
            kind = _count(business, f"{spelling}DocType", at=spelling) or 0
            return kind, _text(business, f"{spelling}DocReason")
    return 0, None


def _attachments(root: Element, limit: int) -> tuple[Attachment, ...]:
    encoded = root.findall("{*}AttachmentEncoded/{*}Attachment")
    if len(encoded) > limit:  # counted before anything is decoded
        raise PackageError("invalid_attachment",
                           f"Gói tin có {len(encoded)} tệp đính kèm, vượt giới hạn {limit}.")
    references = _references(root)
    attachments = tuple(_attachment(element, references) for element in encoded)
    delivered = {attachment.content_id for attachment in attachments}
    for content_id, reference in references.items():
        if content_id not in delivered:
            name = _text(reference, "AttachmentName") or content_id
            raise bad_attachment(f"tệp {name!r} có trong edXMLManifest nhưng không kèm nội dung")
    return attachments


def _references(root: Element) -> dict[str, Element]:
    """The manifest's entries by content ID: they may carry the name and type an attachment
    itself leaves out."""
    found = root.findall(_path("edXMLEnvelope/edXMLBody/edXMLManifest/Reference"))
    found += root.findall(_path("edXMLBody/edXMLManifest/Reference"))  # envelope at the root
    return {_content_id(_text(reference, "ContentId") or reference.get(_XLINK_HREF, "")): reference
            for reference in found}


def _attachment(element: Element, references: dict[str, Element]) -> Attachment:
    content_id = _content_id(_local_text(element, "ContentId") or "")
    if not content_id:
        raise bad_attachment("thiếu ContentId")
    reference = references.get(content_id)
    name = _local_text(element, "AttachmentName") or _text(reference, "AttachmentName")
    if not name:
        raise bad_attachment(f"tệp {content_id!r} thiếu AttachmentName")
    # ContentTransferEncoded holds the base64 in the SDKs; a ContentTransfer, where a sender
    # writes one, holds it instead and ContentTransferEncoded only names the encoding.
    data = _local_text(element, "ContentTransfer") or _local_text(element, "ContentTransferEncoded")
    return Attachment(
        name=name,
        content_type=(_local_text(element, "ContentType") or _text(reference, "ContentType")
                      or "application/octet-stream"),
        content=_decode(data or "", name),
        description=_local_text(element, "Description") or _text(reference, "Description"),
        content_id=content_id,
    )


def _decode(text: str, name: str) -> bytes:
    try:
        return base64.b64decode(text.translate(_BASE64_SPACE), validate=True)
    except ValueError:  # binascii.Error, and non-ASCII text
        raise bad_attachment(f"nội dung tệp {name!r} không phải base64 hợp lệ") from None


def _content_id(text: str) -> str:
    """``cid:abc`` in the manifest, ``abc`` on the attachment (and ``<abc>`` in MIME style)."""
    text = text.strip()
    if text[:4].lower() == "cid:":
        text = text[4:]
    return text.strip().strip("<>")


# --- leaves --------------------------------------------------------------------------------


def _text(parent: Element | None, path: str) -> str | None:
    element = None if parent is None else parent.find(_path(path))
    return _stripped(element)


def _local_text(parent: Element, name: str) -> str | None:
    return _stripped(parent.find(f"{{*}}{name}"))


def _stripped(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _texts(parent: Element, path: str) -> tuple[str, ...]:
    found = (_stripped(element) for element in parent.findall(_path(path)))
    return tuple(text for text in found if text)


def _need(parent: Element, path: str, at: str | None = None) -> str:
    text = _text(parent, path)
    if text is None:
        raise missing(_field(path, at))
    return text


def _need_date(parent: Element, path: str, at: str | None = None) -> date:
    day = read_date(_need(parent, path, at))
    if day is None:
        raise invalid(_field(path, at), "ngày phải theo dạng yyyy/MM/dd")
    return day


def _date(parent: Element, path: str) -> date | None:
    return None if _text(parent, path) is None else _need_date(parent, path)


def _need_timestamp(parent: Element, path: str, at: str | None = None) -> datetime:
    moment = read_timestamp(_need(parent, path, at))
    if moment is None:
        raise invalid(_field(path, at), "thời điểm phải theo dạng yyyy/MM/dd HH:mm:ss")
    return moment


def _need_count(parent: Element, path: str) -> int:
    return _as_count(_need(parent, path), path)


def _count(parent: Element, path: str, at: str | None = None) -> int | None:
    text = _text(parent, path)
    return None if text is None else _as_count(text, _field(path, at))


def _as_count(text: str, field: str) -> int:
    if not _COUNT.fullmatch(text):
        raise invalid(field, "phải là số nguyên không âm")
    return int(text)


def _field(path: str, at: str | None) -> str:
    return f"{at}/{path}" if at else path


def _path(path: str) -> str:
    return "/".join(_q(name) for name in path.split("/"))


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _not_edxml(why: str) -> PackageError:
    return PackageError("not_edxml",
                        f"Gói tin không đúng cấu trúc edXML (QCVN 102:2016/BTTTT): {why}.")
