"""Vietnamese text helpers: diacritic-insensitive search keys."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Search key: lower case, no diacritics, đ/Đ → d ("Nguyễn Văn An" → "nguyen van an")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
