"""Blob-store logic: type sniffing, file names, streaming with a limit, content addressing."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from svc_dossier.attachments.storage import (
    LocalBlobStore,
    TooLarge,
    blob_key,
    content_disposition,
    safe_filename,
    sniff,
    spool,
)


class TestSniff:
    @pytest.mark.parametrize(("head", "expected"), [
        (b"%PDF-1.4\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"MZ\x90\x00", None),  # an executable, whatever its name
        (b"<html><script>", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ])
    def test_magic_bytes_decide(self, head: bytes, expected: str | None) -> None:
        assert sniff(head) == expected


class TestFilename:
    @pytest.mark.parametrize(("given", "expected"), [
        ("Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\An\\Tờ khai.pdf", "Tờ khai.pdf"),
        ('a<b>:"c|?*.pdf', "a b c .pdf"),
        ("bad\x00name\r\n.pdf", "bad name .pdf"),
        ("...", "tep-dinh-kem.pdf"),
        (None, "tep-dinh-kem.pdf"),
    ])
    def test_sanitised(self, given: str | None, expected: str) -> None:
        assert safe_filename(given, "application/pdf") == expected

    def test_long_names_keep_their_extension(self) -> None:
        name = safe_filename("ả" * 500 + ".pdf", "application/pdf")
        assert len(name) == 200 and name.endswith(".pdf")

    def test_disposition_has_an_ascii_fallback_and_the_utf8_name(self) -> None:
        header = content_disposition('Đơn "đề nghị".pdf')
        assert header == ("attachment; filename=\"Don de nghi.pdf\"; "
                          "filename*=UTF-8''%C4%90%C6%A1n%20%22%C4%91%E1%BB%81%20ngh%E1%BB%8B"
                          "%22.pdf")


async def chunks_of(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


class TestSpool:
    async def test_hashes_while_streaming(self, tmp_path: Path) -> None:
        data = b"%PDF-" + bytes(range(256)) * 40
        spooled = await spool(chunks_of(data), limit=len(data), directory=tmp_path)
        assert (spooled.sha256, spooled.size) == (hashlib.sha256(data).hexdigest(), len(data))
        assert spooled.media_type == "application/pdf"
        assert spooled.path.read_bytes() == data

    async def test_stops_at_the_limit_and_leaves_nothing(self, tmp_path: Path) -> None:
        received: list[int] = []

        async def endless() -> AsyncIterator[bytes]:
            while True:
                received.append(1)
                yield b"x" * 1000

        with pytest.raises(TooLarge):
            await spool(endless(), limit=10_000, directory=tmp_path)
        assert len(received) == 11  # refused on the chunk that crossed the limit
        assert list(tmp_path.iterdir()) == []


class TestLocalStore:
    async def test_content_addressed_and_idempotent(self, tmp_path: Path) -> None:
        store = LocalBlobStore(tmp_path / "blobs")
        data = b"\x89PNG\r\n\x1a\n" + b"y" * 5000
        keys = []
        for _ in range(2):
            spooled = await spool(chunks_of(data), limit=10**6, directory=store.spool_dir)
            keys.append(await store.put(spooled))
        digest = hashlib.sha256(data).hexdigest()
        assert keys == [blob_key(digest)] * 2
        assert b"".join(store.read(keys[0])) == data
        assert list(store.spool_dir.iterdir()) == []
