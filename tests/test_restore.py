"""The restore of ONE service's database, as docs/OPERATIONS.md §4.4 tells an operator to do
it, run step by step against the platform as processes: svc-dossier's database is dumped,
more dossiers arrive, the database is lost and restored from the dump, migrated, its code
counters advanced past what the other services saw, and the service starts again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from egov_testing import eventually, postgres_reachable
from tests.platform import DEMO_PASSWORD, Platform, bearer, login, register_citizen

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not postgres_reachable(), reason=(
        "the procedure restores a PostgreSQL database (pg_dump, pg_restore); PostgreSQL is not "
        "reachable on 127.0.0.1:5432")),
]
LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56",
             "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
# OPERATIONS.md §4.4 step 5: the codes the others saw after the restore point, per agency and
# day, from svc-docflow's copy, so that no new dossier takes the code of a lost one.
SEEN_CODES = """
SELECT split_part(code, '-', 1) AS agency_id, to_date(split_part(code, '-', 2), 'YYMMDD') AS day,
       max(split_part(code, '-', 3)::int) AS last_value
FROM dossier_ref GROUP BY 1, 2"""
ADVANCE = """
INSERT INTO dossier_sequence (agency_id, day, last_value) VALUES ($1, $2, $3)
ON CONFLICT (agency_id, day) DO UPDATE
SET last_value = greatest(dossier_sequence.last_value, excluded.last_value)"""


def libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def admin_sql(sql: str) -> None:
    conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres",
                                 database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def submit(gateway: httpx.AsyncClient, token: str, n: int) -> list[str]:
    codes = []
    for _ in range(n):
        answer = await gateway.post("/api/v1/dossiers", headers=bearer(token), json=LLTP_BODY)
        assert answer.status_code == 201, answer.text
        codes.append(str(answer.json()["code"]))
    return codes


class TestRestoreOneServiceDatabase:
    async def test_svc_dossier_comes_back_from_its_dump_and_never_reuses_a_lost_code(
        self, gateway: httpx.AsyncClient, platform: Platform, tmp_path: Path
    ) -> None:
        id_number, password = await register_citizen(gateway)
        citizen = await login(gateway, id_number, password)
        officer = bearer(await login(gateway, "chuyenvien", DEMO_PASSWORD))
        url = platform.urls["dossier"]
        kept = await submit(gateway, citizen, 3)

        # The nightly backup (§4.1): pg_dump in the custom format.
        dump = tmp_path / "egov_dossier.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq(url)], check=True)
        lost = await submit(gateway, citizen, 2)
        docflow = libpq(platform.urls["docflow"])

        async def seen_by_docflow() -> bool:
            conn = await asyncpg.connect(docflow)
            try:
                codes = {r["code"] for r in await conn.fetch("SELECT code FROM dossier_ref")}
            finally:
                await conn.close()
            return set(kept + lost) <= codes

        assert await eventually(seen_by_docflow, timeout=30)

        # 1. stop the service; 2. keep the damaged database aside; 3. restore the dump.
        platform.kill("dossier")
        name = database_of(url)
        await admin_sql(f'ALTER DATABASE "{name}" RENAME TO "{name}_damaged"')
        await admin_sql(f'CREATE DATABASE "{name}"')
        subprocess.run(["pg_restore", "--exit-on-error", "--no-owner", "-d", libpq(url),
                        str(dump)], check=True)
        # 4. the schema to the running version.
        subprocess.run([sys.executable, "-m", "svc_dossier", "migrate"], check=True,
                       env={**os.environ, "DOSSIER_DATABASE_URL": url})
        # 5. the codes the others saw, so that no lost code is given again.
        source = await asyncpg.connect(docflow)
        target = await asyncpg.connect(libpq(url))
        try:
            for row in await source.fetch(SEEN_CODES):
                await target.execute(ADVANCE, row["agency_id"], row["day"], row["last_value"])
        finally:
            await source.close()
            await target.close()
        # 6. start it again.
        platform.start_service("dossier")
        platform.wait_ready()

        for code in kept:
            answer = await gateway.get(f"/api/v1/dossiers/{code}", headers=officer)
            assert answer.status_code == 200, answer.text
        for code in lost:  # after the backup: gone, as the procedure warns
            assert (await gateway.get(f"/api/v1/dossiers/{code}",
                                      headers=officer)).status_code == 404
        fresh = await submit(gateway, citizen, 1)
        assert fresh[0] not in kept + lost
        assert fresh[0].rsplit("-", 1)[1] > max(c.rsplit("-", 1)[1] for c in lost)
        await admin_sql(f'DROP DATABASE "{name}_damaged" WITH (FORCE)')
