"""The kept signed receipts: one file per dossier, none without a directory."""

from __future__ import annotations

from pathlib import Path

from svc_dossier.forms.copies import SignedCopies


class TestSignedCopies:
    async def test_the_last_copy_is_kept_per_dossier(self, tmp_path: Path) -> None:
        copies = SignedCopies(tmp_path)
        await copies.save("H56.20-261128-0001", b"%PDF-1 first")
        await copies.save("H56.20-261128-0001", b"%PDF-1 second")
        assert await copies.load("H56.20-261128-0001") == b"%PDF-1 second"
        assert await copies.load("H56.20-261128-0002") is None

    async def test_without_a_directory_nothing_is_kept(self) -> None:
        copies = SignedCopies(None)
        await copies.save("H56.20-261128-0001", b"%PDF")
        assert await copies.load("H56.20-261128-0001") is None

    async def test_a_code_that_is_no_file_name_is_never_a_path(self, tmp_path: Path) -> None:
        assert await SignedCopies(tmp_path).load("../secret") is None
