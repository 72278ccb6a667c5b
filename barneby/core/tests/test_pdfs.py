"""The test helper that reads our PDFs back must not depend on how the compressed bytes end."""

from __future__ import annotations

import zlib

from barneby.core.tests.pdfs import pdf_text


def _compressed_ending_in_carriage_return() -> bytes:
    for number in range(100_000):
        data = zlib.compress(b"BT (Maren Ruud %d) Tj ET" % number)
        if data.endswith(b"\r"):
            return data
    raise AssertionError("no such stream in the range tried")


def test_a_compressed_stream_ending_in_a_carriage_return_is_read() -> None:
    # CI failed once on this: the stream pattern takes the final "\r" as part of the line end.
    document = b"1 0 obj\nstream\n" + _compressed_ending_in_carriage_return() + b"\nendstream\n"

    assert "Maren Ruud" in pdf_text(document)


def test_a_plain_stream_is_read_as_it_is() -> None:
    assert "Maren" in pdf_text(b"stream\nBT (Maren) Tj ET\nendstream")
