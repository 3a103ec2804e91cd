"""Content-addressed blob stores for attachments and the personal data store.

A blob is named by the SHA-256 of its bytes (``sha256/ab/abcdef…``), so the same document
stored twice, reused from the applicant's store or copied into it, is one blob. Bytes arrive as
a stream: they are spooled to a temporary file while being hashed and counted, and refused as
soon as they cross the limit; only a complete, checked file is moved into the store (an atomic
rename on local disk, one upload to S3), so a failed upload leaves nothing behind.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import anyio
from starlette.responses import StreamingResponse

from svc_dossier.settings import DossierSettings

CHUNK = 64 * 1024
HEAD = 64  # bytes kept from the start of a file, to sniff its type

# Magic numbers of the formats dossiers accept (the declared Content-Type is not believed).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(head: bytes) -> str | None:
    """The media type the first bytes announce, or None for anything else (executables,
    archives, HTML, …)."""
    for magic, media_type in SIGNATURES:
        if head.startswith(magic):
            return media_type
    return None


def blob_key(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}"


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


@dataclass
class Spooled:
    """A complete upload in a temporary file: its digest, size and first bytes."""

    path: Path
    sha256: str
    size: int
    head: bytes

    @property
    def media_type(self) -> str | None:
        return sniff(self.head)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


async def spool(chunks: AsyncIterable[bytes], *, limit: int, directory: Path) -> Spooled:
    """Writes ``chunks`` to a temporary file in ``directory`` while hashing them; raises
    ``TooLarge`` (and removes the file) as soon as more than ``limit`` bytes arrived."""
    await anyio.to_thread.run_sync(lambda: directory.mkdir(parents=True, exist_ok=True))
    fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
    path, digest, size, head = Path(name), hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                digest.update(chunk)
                head = head if len(head) >= HEAD else (head + chunk)[:HEAD]
                await anyio.to_thread.run_sync(out.write, chunk)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)  # a refused or broken upload leaves nothing behind
        raise
    return Spooled(path, digest.hexdigest(), size, head)


class BlobStore(Protocol):
    async def put(self, spooled: Spooled) -> str:
        """Moves a spooled file into the store; answers its key. Idempotent per content."""

    def read(self, key: str) -> Iterator[bytes]:
        """The blob's bytes in chunks (a blocking iterator: stream it from a thread)."""


class LocalBlobStore:
    """Blobs under a local directory (default ``var/attachments``), one file each."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def spool_dir(self) -> Path:
        return self.root / "tmp"

    def path_of(self, key: str) -> Path:
        return self.root / key

    async def put(self, spooled: Spooled) -> str:
        key = blob_key(spooled.sha256)
        target = self.path_of(key)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # the same content is already stored
                spooled.discard()
            else:
                os.replace(spooled.path, target)

        await anyio.to_thread.run_sync(move)
        return key

    def read(self, key: str) -> Iterator[bytes]:
        with self.path_of(key).open("rb") as blob:
            while chunk := blob.read(CHUNK):
                yield chunk


class S3BlobStore:
    """Blobs in an S3-compatible object store (MinIO, a provincial data centre's object
    storage, …). Uploads are spooled locally first: only a complete, checked file is sent."""

    def __init__(self, client: Any, bucket: str, *, prefix: str, spool_dir: Path) -> None:
        self.client, self.bucket, self.prefix, self.spool_dir = client, bucket, prefix, spool_dir

    async def put(self, spooled: Spooled) -> str:
        key = blob_key(spooled.sha256)

        def upload() -> None:
            try:
                self.client.upload_file(
                    str(spooled.path), self.bucket, self.prefix + key,
                    ExtraArgs={"Metadata": {"sha256": spooled.sha256}})
            finally:
                spooled.discard()

        await anyio.to_thread.run_sync(upload)
        return key

    def read(self, key: str) -> Iterator[bytes]:
        answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        body = answer["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()


def s3_client(*, endpoint_url: str | None, region: str, access_key_id: str | None,
              secret_access_key: str | None) -> Any:
    import boto3  # imported lazily: only deployments with an object store need it
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))


# --- file names ----------------------------------------------------------------------------

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
MAX_NAME = 200


def safe_filename(name: str | None, media_type: str) -> str:
    """What a file is called when downloaded: the last path segment of the name the uploader
    gave (NFC, Vietnamese kept), without control or reserved characters, at most 200
    characters with its extension; a generic name when nothing is left."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = " ".join(_UNSAFE.sub(" ", base).split()).strip(" .")
    if not base:
        base = "tep-dinh-kem" + EXTENSIONS.get(media_type, "")
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 10 else ""
        base = (stem if dot else base)[: MAX_NAME - len(ext)].rstrip(" .") + ext
    return base


def content_disposition(filename: str) -> str:
    """RFC 6266 with an RFC 5987 UTF-8 name and an ASCII fallback for old clients."""
    ascii_name = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in ascii_name if c.isascii() and c.isprintable())
    ascii_name = ascii_name.replace('"', "").replace("\\", "") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- assembling and answering --------------------------------------------------------------

def build_store(settings: DossierSettings) -> BlobStore:
    """S3-compatible when a bucket is configured, else the local directory."""
    local = LocalBlobStore(Path(settings.attachments_dir))
    if not settings.s3_bucket:
        return local
    secret = settings.s3_secret_access_key
    client = s3_client(endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                       access_key_id=settings.s3_access_key_id,
                       secret_access_key=secret.get_secret_value() if secret else None)
    return S3BlobStore(client, settings.s3_bucket, prefix=settings.s3_prefix,
                       spool_dir=local.spool_dir)


def spool_dir_of(store: BlobStore) -> Path:
    directory: Path = getattr(store, "spool_dir")  # noqa: B009 - both stores have one
    return directory


def download(store: BlobStore, *, key: str, filename: str, media_type: str, size: int,
             sha256: str) -> StreamingResponse:
    """The blob, streamed, as a download that a browser never renders in our origin."""
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return StreamingResponse(store.read(key), media_type=media_type, headers={
        "Content-Disposition": content_disposition(filename), "Content-Length": str(size),
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store", "ETag": f'"{sha256}"',
        "Repr-Digest": f"sha-256=:{digest}:",
    })
