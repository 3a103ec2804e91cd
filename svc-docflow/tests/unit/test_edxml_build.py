"""Writing edXML packages: the shape partners' standard XML tools see, and the round trip back
through our own parser (no I/O)."""

from __future__ import annotations

import random
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from lxml import etree

from egov_shared.timeutil import VN_TZ
from svc_docflow.edxml import (
    NAMESPACE,
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    build_document,
    build_status,
    document_id,
    parse_package,
)

LIMIT = 5_000_000
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SENT_AT = datetime(2026, 11, 28, 15, 30, 0, tzinfo=VN_TZ)

PACKAGE = DocumentPackage(
    from_organ=Organ("000.00.14.H56", "Sở Tư pháp tỉnh Thanh Hóa",
                     organ_add="Số 17 Hạc Thành, tỉnh Thanh Hóa", email="stp@thanhhoa.gov.vn",
                     telephone="0237 3852 111", website="stp.thanhhoa.gov.vn",
                     fax="0237 3852 112", organization_in_charge="Ủy ban nhân dân tỉnh Thanh Hóa"),
    to_organs=(Organ("000.00.00.G22", "Văn phòng Chính phủ"), Organ("000.00.00.G12", "Bộ Tư pháp")),
    code_number="12", code_notation="QĐ-STP", place="Thanh Hóa",
    promulgation_date=date(2026, 11, 28), type=2, type_name="Quyết định",
    subject="Quyết định công bố danh mục thủ tục hành chính lĩnh vực hộ tịch & chứng thực",
    content="Điều 1. Công bố kèm theo Quyết định này…\nĐiều 2. Quyết định có hiệu lực <ngay>.",
    signer_competence="GIÁM ĐỐC", signer_position="Giám đốc", signer_full_name="Trịnh Đức Thắng",
    due_date=date(2026, 12, 5), to_places=("Như Điều 3", "Lưu: VT, HCTP"), priority=3,
    steering_type="Để biết, phối hợp", document_id="000.00.14.H56,2026/11/28,12/QĐ-STP",
    trace=(TraceHeader("000.00.14.H56", SENT_AT),), business_doc_type=0,
    business_reason="Văn bản mới",
    attachments=(Attachment("Quyết định 12.pdf", "application/pdf", PDF, "Bản ký số", "qd-12"),
                 Attachment("Phụ lục danh mục.docx", DOCX, b"PK\x03\x04\x00\xff", None, "pl-1")),
    response_for=(ResponseFor("000.00.00.G22", "8123/VPCP-KSTT", date(2026, 11, 20),
                              "000.00.00.G22,2026/11/20,8123/VPCP-KSTT"),),
    sphere_of_promulgation="Liên thông văn bản", typer_notation="NTH", promulgation_amount=5,
    page_amount=3, appendixes=("Phụ lục I. Danh mục thủ tục",),
)
STATUS = StatusPackage(
    from_organ=Organ("000.00.14.H56", "Sở Tư pháp tỉnh Thanh Hóa"),
    response_for=PACKAGE.response_for[0], status_code="05",
    description="Đang xử lý: chuyển Phòng Hành chính tư pháp chủ trì",
    timestamp=SENT_AT, staff_department="Văn phòng Sở", staff_name="Đỗ Thị Ánh",
    staff_email="anhdt@thanhhoa.gov.vn", staff_mobile="0987654321",
)


def envelope_elements(data: bytes) -> list[etree._Element]:
    root = etree.fromstring(data)  # lxml's own defaults, as a partner would call it
    envelope = root.find(f"{{{NAMESPACE}}}edXMLEnvelope")
    assert envelope is not None
    return [element for element in envelope.iter() if isinstance(element.tag, str)]


class TestDocumentId:
    def test_format(self) -> None:
        assert document_id("000.00.14.H56", date(2026, 11, 28), "12", "QĐ-STP") == (
            "000.00.14.H56,2026/11/28,12/QĐ-STP")

    def test_single_digit_months_and_days_are_padded(self) -> None:
        assert document_id("H56.14", date(2027, 1, 5), "01", "TB-UBND") == (
            "H56.14,2027/01/05,01/TB-UBND")

    def test_written_into_the_package(self) -> None:
        root = ET.fromstring(build_document(PACKAGE))
        found = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/"
                          f"{{{NAMESPACE}}}MessageHeader/{{{NAMESPACE}}}DocumentId")
        assert found is not None and found.text == "000.00.14.H56,2026/11/28,12/QĐ-STP"


class TestRoundTrip:
    def test_document(self) -> None:
        assert parse_package(build_document(PACKAGE), max_bytes=LIMIT) == PACKAGE

    def test_status(self) -> None:
        assert parse_package(build_status(STATUS), max_bytes=LIMIT) == STATUS

    def test_recall_without_attachments(self) -> None:
        recall = replace(PACKAGE, business_doc_type=1, business_reason="Thu hồi: sai trích yếu",
                         attachments=(), content=None, due_date=None, to_places=())
        assert parse_package(build_document(recall), max_bytes=LIMIT) == recall

    def test_missing_content_ids_are_derived_the_same_way_every_time(self) -> None:
        anonymous = replace(PACKAGE, attachments=tuple(
            replace(attachment, content_id=None) for attachment in PACKAGE.attachments))
        data = build_document(anonymous)
        assert build_document(anonymous) == data
        got = parse_package(data, max_bytes=LIMIT)
        assert isinstance(got, DocumentPackage)
        ids = [attachment.content_id for attachment in got.attachments]
        assert ids == [str(uuid.uuid5(uuid.NAMESPACE_URL, f"{PACKAGE.document_id}#{index}"))
                       for index in range(2)]
        assert [attachment.content for attachment in got.attachments] == [
            attachment.content for attachment in PACKAGE.attachments]

    def test_random_vietnamese_text(self) -> None:
        # hypothesis is not installed here; a seeded generator gives a reproducible sweep.
        rng = random.Random(102_2016)
        for _ in range(200):
            package = random_package(rng)
            assert parse_package(build_document(package), max_bytes=LIMIT) == package


class TestStandardToolchain:
    def test_plain_lxml_sees_the_namespace_and_the_prefix(self) -> None:
        root = etree.fromstring(build_document(PACKAGE))
        assert root.tag == f"{{{NAMESPACE}}}edXML"
        elements = envelope_elements(build_document(PACKAGE))
        assert len(elements) > 60
        assert {etree.QName(element).namespace for element in elements} == {NAMESPACE}
        assert {element.prefix for element in elements} == {"edXML"}

    def test_status_elements_carry_the_prefix_too(self) -> None:
        elements = envelope_elements(build_status(STATUS))
        assert {element.prefix for element in elements} == {"edXML"}
        assert {etree.QName(element).localname for element in elements} >= {
            "Status", "ResponseFor", "StatusCode", "Timestamp", "StaffInfo"}

    def test_every_tag_in_the_envelope_is_spelled_with_the_prefix(self) -> None:
        text = build_document(PACKAGE).decode()
        inside = text[text.index("<edXML:edXMLEnvelope"):text.index("</edXML:edXMLEnvelope>")]
        tags = re.findall(r"</?([^\s>/!?]+)", inside)
        assert tags and all(tag.startswith("edXML:") for tag in tags)

    def test_xml_etree_reads_it(self) -> None:
        ns = {"e": NAMESPACE}
        root = ET.fromstring(build_document(PACKAGE))
        assert [child.tag for child in root] == [
            f"{{{NAMESPACE}}}edXMLEnvelope", f"{{{NAMESPACE}}}AttachmentEncoded"]
        header = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", ns)
        assert header is not None
        assert header.findtext("e:Subject", namespaces=ns) == PACKAGE.subject
        assert [to.findtext("e:OrganName", namespaces=ns)
                for to in header.findall("e:To", ns)] == ["Văn phòng Chính phủ", "Bộ Tư pháp"]
        references = root.findall("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", ns)
        assert [ref.findtext("e:ContentId", namespaces=ns) for ref in references] == [
            "cid:qd-12", "cid:pl-1"]
        assert len(root.findall("e:AttachmentEncoded/e:Attachment", ns)) == 2

    def test_utf8_with_declaration(self) -> None:
        data = build_document(PACKAGE)
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert "Trịnh Đức Thắng".encode() in data  # characters, not character references

    def test_dates_and_timestamps_in_vietnam_time(self) -> None:
        late_evening_utc = datetime(2026, 11, 28, 17, 5, 9, tzinfo=UTC)
        in_utc = replace(PACKAGE, trace=(TraceHeader("000.00.14.H56", late_evening_utc),))
        data = build_document(in_utc).decode()
        assert "<edXML:Timestamp>2026/11/29 00:05:09</edXML:Timestamp>" in data
        assert "<edXML:PromulgationDate>2026/11/28</edXML:PromulgationDate>" in data


class TestBuilderRefusesWhatTheParserWould:
    @pytest.mark.parametrize(("change", "code", "field"), [
        ({"subject": "Đ" * 501}, "invalid_field", "Subject"),
        ({"subject": "  "}, "missing_field", "Subject"),
        ({"document_id": "000.00.14.H56,2026/11/28,12"}, "invalid_field", "DocumentId"),
        ({"to_organs": ()}, "missing_field", "To"),
        ({"priority": 5}, "invalid_field", "OtherInfo/Priority"),
        ({"business_doc_type": 4}, "invalid_field", "Bussiness/BussinessDocType"),
        ({"trace": (TraceHeader("000.00.14.H56", datetime(2026, 11, 28, 9)),)},
         "invalid_field", "TraceHeader/Timestamp"),
        ({"content": "ký tự điều khiển \x0b"}, "invalid_field", "Content"),
    ])
    def test_document(self, change: dict[str, object], code: str, field: str) -> None:
        with pytest.raises(PackageError) as caught:
            build_document(replace(PACKAGE, **change))  # type: ignore[arg-type]
        assert (caught.value.code, caught.value.field) == (code, field)

    def test_empty_attachment(self) -> None:
        empty = replace(PACKAGE, attachments=(Attachment("rỗng.pdf", "application/pdf", b""),))
        with pytest.raises(PackageError) as caught:
            build_document(empty)
        assert caught.value.code == "invalid_attachment"

    def test_status_code_outside_the_list(self) -> None:
        with pytest.raises(PackageError) as caught:
            build_status(replace(STATUS, status_code="07"))
        assert (caught.value.code, caught.value.field) == ("invalid_field", "StatusCode")


LETTERS = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstu"
           "ùúủũụưừứửữựvxyỳýỷỹỵ")
ALPHABET = LETTERS + LETTERS.upper() + "0123456789 ,.;:-/()<>&\"'…–“”\n"


def text(rng: random.Random, longest: int) -> str:
    drawn = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, longest))).strip()
    return drawn or rng.choice(LETTERS)


def random_package(rng: random.Random) -> DocumentPackage:
    sender = Organ(f"000.00.{rng.randint(10, 99)}.H56", text(rng, 80), organ_add=text(rng, 60))
    day = date(rng.randint(2000, 2100), rng.randint(1, 12), rng.randint(1, 28))
    number, notation = str(rng.randint(1, 9999)), text(rng, 20).replace("\n", " ")
    return replace(
        PACKAGE, from_organ=sender,
        to_organs=tuple(Organ(f"H{rng.randint(10, 99)}", text(rng, 80))
                        for _ in range(rng.randint(1, 3))),
        code_number=number, code_notation=notation, promulgation_date=day,
        subject=text(rng, 500), content=text(rng, 2000), signer_full_name=text(rng, 40),
        steering_type=text(rng, 30), priority=rng.randint(0, 4),
        document_id=document_id(sender.organ_id, day, number, notation),
        business_doc_type=rng.randint(0, 3), business_reason=text(rng, 200),
        attachments=tuple(
            Attachment(text(rng, 40) + ".pdf", "application/pdf",
                       rng.randbytes(rng.randint(1, 300)), text(rng, 60), f"att-{index}")
            for index in range(rng.randint(0, 3))),
    )
