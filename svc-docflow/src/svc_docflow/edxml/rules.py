"""The checks a package must pass, whichever way it travels.

The parser runs them on what it read, the builder on what it was given: one set of rules means
we never send what we would refuse. Errors name the edXML element at fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from egov_shared.timeutil import in_supported_range

from .model import (
    BUSINESS_DOC_TYPES,
    PRIORITIES,
    STATUS_CODES,
    SUBJECT_MAX_CHARS,
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    ResponseFor,
    StatusPackage,
    document_id,
)


def missing(field: str) -> PackageError:
    return PackageError("missing_field", f"Gói tin thiếu trường bắt buộc {field}.", field)


def invalid(field: str, why: str) -> PackageError:
    return PackageError("invalid_field", f"Trường {field} không hợp lệ: {why}.", field)


def bad_attachment(why: str) -> PackageError:
    return PackageError("invalid_attachment", f"Tệp đính kèm không hợp lệ: {why}.")


def check_document(package: DocumentPackage) -> None:
    check_organ(package.from_organ, "From")
    if not package.to_organs:
        raise missing("To")
    for organ in package.to_organs:
        check_organ(organ, "To")
    _require_all([(package.code_number, "Code/CodeNumber"),
                  (package.code_notation, "Code/CodeNotation"),
                  (package.place, "PromulgationInfo/Place"),
                  (package.type_name, "DocumentType/TypeName"),
                  (package.subject, "Subject"), (package.document_id, "DocumentId")])
    _check_numbers(package)
    _check_dates(package)
    if len(package.subject) > SUBJECT_MAX_CHARS:
        raise invalid("Subject", f"dài quá {SUBJECT_MAX_CHARS} ký tự")
    for answered in package.response_for:
        check_response_for(answered, "ResponseFor")
    _check_document_id(package)
    _check_attachments(package.attachments)


def check_status(package: StatusPackage) -> None:
    check_organ(package.from_organ, "From")
    check_response_for(package.response_for, "ResponseFor")
    if package.status_code not in STATUS_CODES:
        raise invalid("StatusCode", f"mã {package.status_code!r} không có trong danh mục")
    _check_moment(package.timestamp, "Timestamp")


def check_organ(organ: Organ, where: str) -> None:
    _require_all([(organ.organ_id, f"{where}/OrganId"), (organ.organ_name, f"{where}/OrganName")])


def check_response_for(answered: ResponseFor, where: str) -> None:
    """Not checked against its parts: it names someone else's document, in their spelling."""
    _require_all([(answered.organ_id, f"{where}/OrganId"), (answered.code, f"{where}/Code"),
                  (answered.document_id, f"{where}/DocumentId")])
    _check_day(answered.promulgation_date, f"{where}/PromulgationDate")


def _require_all(values: Iterable[tuple[str, str]]) -> None:
    for value, field in values:
        if not value.strip():
            raise missing(field)


def _check_numbers(package: DocumentPackage) -> None:
    if package.priority not in PRIORITIES:
        raise invalid("OtherInfo/Priority", "độ khẩn phải từ 0 đến 4")
    if package.business_doc_type not in BUSINESS_DOC_TYPES:
        raise invalid("Bussiness/BussinessDocType", "loại nghiệp vụ phải từ 0 đến 3")
    counts = [(package.type, "DocumentType/Type"),
              (package.promulgation_amount, "OtherInfo/PromulgationAmount"),
              (package.page_amount, "OtherInfo/PageAmount")]
    for count, field in counts:
        if count is not None and count < 0:
            raise invalid(field, "không được âm")


def _check_dates(package: DocumentPackage) -> None:
    _check_day(package.promulgation_date, "PromulgationInfo/PromulgationDate")
    if package.due_date is not None:
        _check_day(package.due_date, "DueDate")
    for hop in package.trace:
        _check_moment(hop.timestamp, "TraceHeader/Timestamp")


def _check_day(day: date, field: str) -> None:
    # Far dates are hostile or typos, and break deadline arithmetic further on.
    if not in_supported_range(day):
        raise invalid(field, "ngày nằm ngoài khoảng hệ thống hỗ trợ")


def _check_moment(moment: datetime, field: str) -> None:
    if moment.tzinfo is None:
        raise invalid(field, "thời điểm thiếu múi giờ")
    _check_day(moment.date(), field)


def _check_document_id(package: DocumentPackage) -> None:
    expected = document_id(package.from_organ.organ_id, package.promulgation_date,
                           package.code_number, package.code_notation)
    if package.document_id != expected:
        raise invalid("DocumentId", f"phải là {expected!r} theo From, Code và ngày ban hành")


def _check_attachments(attachments: tuple[Attachment, ...]) -> None:
    seen: set[str] = set()
    for attachment in attachments:
        if not attachment.name.strip():
            raise bad_attachment("thiếu tên tệp")
        if not attachment.content:
            raise bad_attachment(f"tệp {attachment.name!r} rỗng")
        if attachment.content_id is not None:
            if attachment.content_id in seen:
                raise bad_attachment(f"ContentId {attachment.content_id!r} bị trùng")
            seen.add(attachment.content_id)
