"""Attachments in an S3-compatible object store: the same API, the blobs in a bucket. The
store is moto's S3 server, run locally on a free port (a faithful implementation of the S3
API; a province's store is MinIO or its data centre's object storage)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from egov_testing import Databases, NatsServer, TestIssuer, free_port
from svc_dossier.attachments.storage import s3_client
from svc_dossier.settings import DossierSettings

moto_server = pytest.importorskip("moto.server", reason="moto[server] runs the S3 server")

LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56", "form_data": {"muc_dich": "Xin việc"}}
PDF = b"%PDF-1.7\n" + b"0123456789" * 3000 + b"\n%%EOF\n"
BUCKET = "egov-attachments"
KEYS = {"access_key_id": "testing", "secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    s3_client(endpoint_url=url, region="us-east-1", **KEYS).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture(scope="module")
def spool_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spool")


@pytest.fixture(scope="module")
def dossier_settings(databases: Databases, nats_server: NatsServer, s3_url: str,
                     spool_dir: Path, tmp_path_factory: pytest.TempPathFactory
                     ) -> DossierSettings:
    return DossierSettings(
        database_url=databases.new_url("dossier"), nats_url=nats_server.url, demo=True,
        log_level="WARNING", forms_dir=str(tmp_path_factory.mktemp("forms")),
        attachments_dir=str(spool_dir), s3_bucket=BUCKET, s3_endpoint_url=s3_url,
        s3_access_key_id=KEYS["access_key_id"],
        s3_secret_access_key=KEYS["secret_access_key"])


class TestObjectStore:
    async def test_upload_and_download_through_the_bucket(
            self, client: httpx.AsyncClient, issuer: TestIssuer, s3_url: str,
            spool_dir: Path) -> None:
        applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        submitted = await client.post("/api/v1/dossiers", headers=applicant, json=LLTP_BODY)
        code = submitted.json()["code"]
        made = await client.post(f"/api/v1/dossiers/{code}/attachments",
                                 params={"component": "TP01", "filename": "to-khai.pdf"},
                                 headers={**applicant, "Content-Type": "application/pdf"},
                                 content=PDF)
        assert made.status_code == 201, made.text
        digest = hashlib.sha256(PDF).hexdigest()
        assert made.json()["sha256"] == digest
        got = await client.get(made.json()["download_url"], headers=applicant)
        assert (got.status_code, got.content) == (200, PDF)
        bucket = s3_client(endpoint_url=s3_url, region="us-east-1", **KEYS)
        stored = bucket.get_object(Bucket=BUCKET,
                                   Key=f"attachments/sha256/{digest[:2]}/{digest}")
        assert stored["Body"].read() == PDF
        assert [p for p in spool_dir.rglob("*") if p.is_file()] == []  # nothing on local disk
