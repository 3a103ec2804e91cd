"""Standard forms of the one-stop shop (Mẫu 01–06) as PDF; the receipt signed (PAdES)."""
