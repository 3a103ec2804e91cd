"""The last signed receipt (Mẫu 01) of each dossier, kept as a file so that the applicant can
download the copy an officer signed (a citizen's token cannot use the agency's key).

Files, not a table: the migration chain is owned elsewhere (see the README, "Forms"). The
directory is ``DossierSettings.forms_dir`` when set; without it no copy is kept and the
applicant gets the unsigned receipt (``X-Signature: none``, reason ``not_signed_yet``).
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,63}$")


class SignedCopies:
    def __init__(self, directory: str | Path | None) -> None:
        self.directory = Path(directory) if directory else None

    @classmethod
    def of(cls, settings: Any) -> SignedCopies:
        return cls(getattr(settings, "forms_dir", None))

    def _path(self, code: str) -> Path | None:
        if self.directory is None or not SAFE_CODE.match(code):
            return None
        return self.directory / f"{code}-mau-01.pdf"

    async def save(self, code: str, pdf: bytes) -> None:
        path = self._path(code)
        if path is not None:
            await asyncio.to_thread(_write, path, pdf)

    async def load(self, code: str) -> bytes | None:
        path = self._path(code)
        if path is None:
            return None
        return await asyncio.to_thread(_read, path)


def _write(path: Path, pdf: bytes) -> None:
    """Written aside, then renamed: a reader sees the old copy or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(pdf)
    partial.replace(path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
