"""Properties of the edXML parser on generated input: whatever arrives from the axis, well-formed
or not, huge, deep or declaring entities, ``parse_package`` either reads a package or refuses it
with its own ``PackageError``; it never raises anything else and never resolves an entity."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from svc_docflow.edxml import (
    NAMESPACE,
    DocumentPackage,
    PackageError,
    StatusPackage,
    build_document,
    build_status,
    parse_package,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "edxml"
LIMIT = 200_000
DOCUMENT = (FIXTURES / "new_document_vpcp.xml").read_text(encoding="utf-8")
STATUS = (FIXTURES / "status_registered.xml").read_text(encoding="utf-8")
PACKAGES = [DOCUMENT, STATUS, (FIXTURES / "recall.xml").read_text(encoding="utf-8")]
SUBJECT = "V/v đẩy mạnh thực hiện thủ tục hành chính trực tuyến toàn trình"
CODES = {"package_too_large", "xml_malformed", "xml_forbidden", "not_edxml", "missing_field",
         "invalid_field", "invalid_attachment"}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text an XML 1.0 document may carry (no control characters, no surrogates).
xml_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=60)
names = st.sampled_from(["edXML", "edXMLEnvelope", "edXMLHeader", "MessageHeader", "Status",
                         "From", "To", "OrganId", "OrganName", "Code", "CodeNumber", "Subject",
                         "DocumentId", "StatusCode", "Timestamp", "ResponseFor", "TraceHeader",
                         "AttachmentEncoded", "Attachment", "ContentId",
                         "ContentTransferEncoded", "x", "Bussiness"])


def outcome(data: bytes, max_bytes: int = LIMIT) -> DocumentPackage | StatusPackage | str:
    """The package read, or the code of the parser's own refusal: anything else escapes."""
    try:
        return parse_package(data, max_bytes=max_bytes)
    except PackageError as refused:
        assert refused.code in CODES, refused.code
        return refused.code


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    """Well-formed XML made of the edXML vocabulary, in the namespace or out of it."""
    namespace = draw(st.sampled_from([NAMESPACE, NAMESPACE, None, "urn:other"]))
    element = etree.Element(etree.QName(namespace, draw(names)) if namespace else draw(names))
    element.text = draw(xml_text)
    if depth < 3:
        for child in draw(st.lists(trees(depth + 1), max_size=3)):
            element.append(child)
    return element


class TestAnyBytes:
    @FAST
    @given(st.binary(max_size=2000))
    @example(b"")
    @example(b"\xef\xbb\xbf")
    @example(b"<?xml version='1.0' encoding='x-unknown'?><a/>")
    @example(b"<a>&undeclared;</a>")
    def test_are_read_or_refused_by_the_parser(self, data: bytes) -> None:
        outcome(data)

    @FAST
    @given(st.binary(min_size=1, max_size=500))
    def test_over_the_size_limit_are_refused_before_anything_is_read(self, data: bytes) -> None:
        assert outcome(data, max_bytes=len(data) - 1) == "package_too_large"


class TestWellFormedXml:
    @FAST
    @given(trees())
    def test_of_the_edxml_vocabulary_is_read_or_refused(self, root: etree._Element) -> None:
        outcome(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    @FAST
    @given(st.sampled_from(PACKAGES), st.data())
    def test_a_real_package_with_any_element_text_changed_is_read_or_refused(
        self, package: str, data: st.DataObject
    ) -> None:
        texts = list(re.finditer(r">([^<>]+)</", package))
        spot = data.draw(st.sampled_from(texts))
        new = data.draw(xml_text).replace("&", "&amp;").replace("<", "&lt;")
        outcome((package[:spot.start(1)] + new + package[spot.end(1):]).encode())

    @FAST
    @given(st.sampled_from(PACKAGES), st.data())
    def test_a_real_package_cut_or_spliced_anywhere_is_read_or_refused(
        self, package: str, data: st.DataObject
    ) -> None:
        raw = package.encode()
        start = data.draw(st.integers(0, len(raw)))
        end = data.draw(st.integers(start, min(len(raw), start + 200)))
        outcome(raw[:start] + data.draw(st.binary(max_size=40)) + raw[end:])

    def test_the_untouched_packages_are_read(self) -> None:
        assert isinstance(outcome(DOCUMENT.encode()), DocumentPackage)
        assert isinstance(outcome(STATUS.encode()), StatusPackage)


class TestHugeAndDeep:
    @settings(max_examples=15, deadline=None)
    @given(st.integers(1, 3000))
    def test_any_nesting_depth_is_read_or_refused(self, depth: int) -> None:
        nested = "<x>" * depth + "deep" + "</x>" * depth
        got = outcome(DOCUMENT.replace(SUBJECT, nested).encode(), max_bytes=10**6)
        if depth > 256:  # libxml2's limit, kept
            assert got == "package_too_large"

    @settings(max_examples=5, deadline=None)
    @given(st.integers(10_000_001, 10_500_000))
    def test_a_text_node_over_ten_megabytes_is_refused(self, size: int) -> None:
        data = DOCUMENT.replace(SUBJECT, "a" * size).encode()
        assert outcome(data, max_bytes=len(data)) == "package_too_large"

    @settings(max_examples=10, deadline=None)
    @given(st.integers(1, 5000))
    def test_many_siblings_are_read_or_refused(self, count: int) -> None:
        outcome(DOCUMENT.replace(SUBJECT, "<x>a</x>" * count).encode(), max_bytes=10**6)


entity_names = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
entity_values = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=8,
                        max_size=30)


class TestEntities:
    @FAST
    @given(st.sampled_from(PACKAGES), entity_names, entity_values,
           st.sampled_from(["internal", "system", "parameter", "empty"]),
           st.sampled_from(["UTF-8", "UTF-16", "UTF-8-SIG"]))
    def test_a_doctype_is_refused_whatever_it_declares(
        self, package: str, name: str, value: str, kind: str, encoding: str
    ) -> None:
        declaration = {
            "internal": f'<!ENTITY {name} "{value}">',
            "system": f'<!ENTITY {name} SYSTEM "file:///etc/{value}">',
            "parameter": f'<!ENTITY % {name} SYSTEM "http://127.0.0.1:9/{value}.dtd"> %{name};',
            "empty": "",
        }[kind]
        body = package.split("?>", 1)[1]
        label = encoding.removesuffix("-SIG")
        text = f'<?xml version="1.0" encoding="{label}"?>\n<!DOCTYPE edXML [{declaration}]>{body}'
        text = text.replace("<edXML:Subject>", f"<edXML:Subject>&{name};", 1)
        text = text.replace("<edXML:Description>", f"<edXML:Description>&{name};", 1)
        assert f"&{name};" in text
        assert outcome(text.encode(encoding.lower())) == "xml_forbidden"

    @FAST
    @given(st.sampled_from(PACKAGES), entity_names)
    def test_an_undeclared_entity_is_malformed_and_never_read(self, package: str,
                                                              name: str) -> None:
        if name in ("lt", "gt", "amp", "quot", "apos"):
            return
        text = package.replace("<edXML:Subject>", f"<edXML:Subject>&{name};", 1)
        text = text.replace("<edXML:Description>", f"<edXML:Description>&{name};", 1)
        assert f"&{name};" in text
        assert outcome(text.encode()) == "xml_malformed"

    def test_character_references_are_ordinary_text(self) -> None:
        got = outcome(DOCUMENT.replace(SUBJECT, "V/v &#272;&#x1EA9;y m&#7841;nh").encode())
        assert isinstance(got, DocumentPackage) and got.subject == "V/v Đẩy mạnh"


class TestRoundTrip:
    @FAST
    @given(xml_text.filter(str.strip), xml_text)
    def test_what_we_build_we_read_back(self, subject: str, description: str) -> None:
        document = outcome(DOCUMENT.encode())
        status = outcome(STATUS.encode())
        assert isinstance(document, DocumentPackage) and isinstance(status, StatusPackage)
        try:
            built = build_document(replace(document, subject=subject))
        except PackageError:  # our own rules refuse to send it: nothing to read back
            return
        again = outcome(built)
        assert isinstance(again, DocumentPackage) and again.subject == subject.strip()
        answered = outcome(build_status(replace(status, description=description)))
        assert isinstance(answered, StatusPackage)
        assert answered.description == (description.strip() or None)
