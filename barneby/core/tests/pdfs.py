"""Reading back the PDFs we write (fpdf2, core fonts), for assertions in tests."""

from __future__ import annotations

import contextlib
import re
import zlib


def pdf_text(data: bytes) -> str:
    """The text of every (compressed or plain) content stream of a PDF, as latin-1."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = match.group(1)
        # A decompressor object, not zlib.decompress: when the compressed bytes end in "\r" the
        # pattern takes that byte as the line end, and only the (unneeded) checksum is cut short.
        with contextlib.suppress(zlib.error):
            raw = zlib.decompressobj().decompress(raw) or raw
        chunks.append(raw.decode("latin-1"))
    return "\n".join(chunks)
