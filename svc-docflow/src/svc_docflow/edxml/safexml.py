"""Bytes from outside to an XML tree, treating them as hostile.

The size is checked before anything is parsed. A package has no use for a DTD, so one that
declares any (and with it any entity) is refused outright, found by a first pass that stops at
the DOCTYPE or at the root element, whichever comes first: libxml2 would otherwise still read
the declarations (a billion-laughs DTD trips its amplification guard before we could look).
The real parse is told not to resolve entities, load a DTD or touch the network, and keeps
libxml2's own limits (a text node of at most 10 MB, a depth of 256): those bound attachments
too, since each travels as one base64 text node.
"""

from __future__ import annotations

from lxml import etree

from .model import PackageError

_RESOURCE_LIMIT = 114  # libxml2's XML_ERR_RESOURCE_LIMIT: huge text node, excessive depth


def read_xml(data: bytes, max_bytes: int) -> etree._Element:
    if len(data) > max_bytes:
        raise PackageError("package_too_large",
                           f"Gói tin {len(data)} byte, vượt giới hạn {max_bytes} byte.")
    _refuse_doctype(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    if _declares_dtd(root.getroottree().docinfo):  # the first pass should have seen it
        raise _forbidden()
    return root


class _DoctypeFound(Exception):
    pass


class _RootReached(Exception):
    pass


class _Prolog:
    """A parser target that stops the parse at the DOCTYPE or at the root element."""

    def doctype(self, name: str | None, pubid: str | None, system: str | None) -> None:
        raise _DoctypeFound

    def start(self, tag: str, attrib: object, nsmap: object = None) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def _refuse_doctype(data: bytes) -> None:
    try:
        etree.fromstring(data, _parser(target=_Prolog()))
    except _DoctypeFound:
        raise _forbidden() from None
    except (_RootReached, etree.XMLSyntaxError):
        return  # no DOCTYPE before the root; malformed input is the real parse's to report


def _parser(target: object = None) -> etree.XMLParser:
    # One per call: an lxml parser must not be shared between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, dtd_validation=False, remove_comments=True,
                           remove_pis=True, collect_ids=False, target=target)


def _syntax_error(exc: etree.XMLSyntaxError) -> PackageError:
    if exc.code == _RESOURCE_LIMIT:
        return PackageError("package_too_large",
                            "Gói tin vượt giới hạn xử lý XML (một tệp đính kèm quá 10 MB "
                            "hoặc cấu trúc lồng quá sâu).")
    return PackageError("xml_malformed", f"Gói tin không phải XML hợp lệ: {exc.msg}")


def _declares_dtd(docinfo: etree.DocInfo) -> bool:
    return bool(docinfo.doctype or docinfo.internalDTD is not None
                or docinfo.system_url or docinfo.public_id)


def _forbidden() -> PackageError:
    return PackageError("xml_forbidden", "Gói tin có khai báo DOCTYPE/DTD hoặc thực thể "
                        "(entity): không được chấp nhận.")
