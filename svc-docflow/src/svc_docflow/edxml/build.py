"""Packages we send, in the shape of the national axis's own sample package (``edoc_new.edxml``
of the government office's SDK, as partner implementations reproduce it):

    <edXML xmlns="…QCVN_102_2016">
      <edXML:edXMLEnvelope xmlns:edXML="…QCVN_102_2016">
        <edXML:edXMLHeader> MessageHeader | Status, TraceHeaderList </edXML:edXMLHeader>
        <edXML:edXMLBody> <edXML:edXMLManifest> Reference* </edXML:edXMLManifest> </edXML:edXMLBody>
      </edXML:edXMLEnvelope>
      <AttachmentEncoded> Attachment* </AttachmentEncoded>
    </edXML>

Every element inside the envelope carries the ``edXML`` prefix (the axis refuses it otherwise);
the wrapper and the attachments sit in the same namespace as the default one, as in the sample.
Optional elements are written empty rather than left out, as the SDKs do: some partners' readers
expect every element to be there.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import replace

from lxml import etree

from .model import (
    NAMESPACE,
    PREFIX,
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    ResponseFor,
    StatusPackage,
    format_date,
    format_timestamp,
)
from .rules import check_document, check_status

XLINK = "http://www.w3.org/1999/xlink"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Text = str | int | None


def build_document(package: DocumentPackage) -> bytes:
    """A document package (văn bản điện tử), attachments included, as UTF-8 XML."""
    check_document(package)
    attachments = _with_content_ids(package)
    root, envelope, header = _skeleton()
    _message_header(_add(header, "MessageHeader"), package)
    _trace_list(_add(header, "TraceHeaderList"), package)
    _manifest(_add(_add(envelope, "edXMLBody"), "edXMLManifest"), attachments)
    if attachments:
        _encoded(_add(root, "AttachmentEncoded"), attachments)
    return _serialise(root)


def build_status(package: StatusPackage) -> bytes:
    """A status package (gói tin trạng thái) answering a document, as UTF-8 XML."""
    check_status(package)
    root, _, header = _skeleton()
    status = _add(header, "Status")
    _response_for(status, package.response_for)
    _organ(status, "From", package.from_organ)
    _add(status, "StatusCode", package.status_code)
    _add(status, "Description", package.description)
    _add(status, "Timestamp", format_timestamp(package.timestamp))
    staff = _add(status, "StaffInfo")
    _add(staff, "Department", package.staff_department)
    _add(staff, "Staff", package.staff_name)
    _add(staff, "Mobile", package.staff_mobile)
    _add(staff, "Email", package.staff_email)
    return _serialise(root)


def _skeleton() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(_q("edXML"), nsmap={None: NAMESPACE})
    # Declared on the envelope so that lxml names everything inside it with the prefix.
    envelope = etree.SubElement(root, _q("edXMLEnvelope"), nsmap={PREFIX: NAMESPACE})
    return root, envelope, _add(envelope, "edXMLHeader")


def _message_header(header: etree._Element, package: DocumentPackage) -> None:
    _organ(header, "From", package.from_organ)
    for organ in package.to_organs:
        _organ(header, "To", organ)
    code = _add(header, "Code")
    _add(code, "CodeNumber", package.code_number)
    _add(code, "CodeNotation", package.code_notation)
    promulgation = _add(header, "PromulgationInfo")
    _add(promulgation, "Place", package.place)
    _add(promulgation, "PromulgationDate", format_date(package.promulgation_date))
    kind = _add(header, "DocumentType")
    _add(kind, "Type", package.type)
    _add(kind, "TypeName", package.type_name)
    _add(header, "Subject", package.subject)
    _add(header, "Content", package.content)
    _signer(_add(header, "SignerInfo"), package)
    _add(header, "DueDate", format_date(package.due_date) if package.due_date else None)
    places = _add(header, "ToPlaces")
    for place in package.to_places:
        _add(places, "Place", place)
    _other_info(_add(header, "OtherInfo"), package)
    for answered in package.response_for:
        _response_for(header, answered)
    _add(header, "SteeringType", package.steering_type)
    _add(header, "DocumentId", package.document_id)


def _organ(parent: etree._Element, tag: str, organ: Organ) -> None:
    element = _add(parent, tag)
    _add(element, "OrganId", organ.organ_id)
    _add(element, "OrganizationInCharge", organ.organization_in_charge)
    _add(element, "OrganName", organ.organ_name)
    _add(element, "OrganAdd", organ.organ_add)
    _add(element, "Email", organ.email)
    _add(element, "Telephone", organ.telephone)
    _add(element, "Fax", organ.fax)
    _add(element, "Website", organ.website)


def _signer(signer: etree._Element, package: DocumentPackage) -> None:
    _add(signer, "Competence", package.signer_competence)
    _add(signer, "Position", package.signer_position)
    _add(signer, "FullName", package.signer_full_name)


def _other_info(other: etree._Element, package: DocumentPackage) -> None:
    _add(other, "Priority", package.priority)
    _add(other, "SphereOfPromulgation", package.sphere_of_promulgation)
    _add(other, "TyperNotation", package.typer_notation)
    _add(other, "PromulgationAmount", package.promulgation_amount)
    _add(other, "PageAmount", package.page_amount)
    appendixes = _add(other, "Appendixes")
    for appendix in package.appendixes:
        _add(appendixes, "Appendix", appendix)


def _response_for(parent: etree._Element, answered: ResponseFor) -> None:
    element = _add(parent, "ResponseFor")
    _add(element, "OrganId", answered.organ_id)
    _add(element, "Code", answered.code)
    _add(element, "PromulgationDate", format_date(answered.promulgation_date))
    _add(element, "DocumentId", answered.document_id)


def _trace_list(trace_list: etree._Element, package: DocumentPackage) -> None:
    for hop in package.trace:
        trace = _add(trace_list, "TraceHeader")
        _add(trace, "OrganId", hop.organ_id)
        _add(trace, "Timestamp", format_timestamp(hop.timestamp))
    business = _add(trace_list, "Bussiness")  # sic: the standard's spelling
    _add(business, "BussinessDocType", package.business_doc_type)
    _add(business, "BussinessDocReason", package.business_reason)


def _with_content_ids(package: DocumentPackage) -> tuple[Attachment, ...]:
    """Fill missing content IDs from the document ID and position, so that building the same
    package twice gives the same bytes (a resend is recognisable as one)."""
    return tuple(
        attachment if attachment.content_id else replace(
            attachment, content_id=str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                   f"{package.document_id}#{index}")))
        for index, attachment in enumerate(package.attachments))


def _manifest(manifest: etree._Element, attachments: tuple[Attachment, ...]) -> None:
    manifest.set("version", "1.0")
    for attachment in attachments:
        reference = etree.SubElement(manifest, _q("Reference"), nsmap={"xlink": XLINK})
        reference.set(f"{{{XLINK}}}href", f"cid:{attachment.content_id}")
        reference.set(f"{{{XLINK}}}type", "simple")
        _add(reference, "ContentId", f"cid:{attachment.content_id}")
        _add(reference, "ContentType", attachment.content_type)
        _add(reference, "AttachmentName", attachment.name)
        _add(reference, "Description", attachment.description)


def _encoded(encoded: etree._Element, attachments: tuple[Attachment, ...]) -> None:
    for attachment in attachments:
        element = _add(encoded, "Attachment")
        _add(element, "ContentId", attachment.content_id)
        _add(element, "AttachmentName", attachment.name)
        _add(element, "Description", attachment.description)
        _add(element, "ContentType", attachment.content_type)
        _add(element, "ContentTransferEncoded", base64.b64encode(attachment.content).decode())


def _add(parent: etree._Element, name: str, text: Text = None) -> etree._Element:
    child = etree.SubElement(parent, _q(name))
    if text is not None:
        try:
            child.text = str(text)
        except ValueError:  # control characters and the like have no XML spelling
            raise PackageError("invalid_field", f"Trường {name} chứa ký tự không hợp lệ trong "
                               "XML.", name) from None
    return child


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _serialise(root: etree._Element) -> bytes:
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
