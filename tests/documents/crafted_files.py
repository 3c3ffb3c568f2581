"""Hostile uploads, built in memory without ever holding what they expand to.

Used by tests/documents/test_document_limits.py and benchmarks/upload_memory.py.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def decompression_bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A grey PNG of ``width`` × ``height`` black pixels: a few hundred KB that decode to ~1 GB."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one byte per pixel
    compressed = [compressor.compress(row) for _ in range(height)]
    compressed.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(compressed))
        + _png_chunk(b"IEND", b"")
    )


def huge_dimension_jpeg(width: int = 65_000, height: int = 65_000) -> bytes:
    """A small real JPEG whose frame header claims ``width`` × ``height`` pixels."""
    output = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 90, 90)).save(output, format="JPEG")
    data = bytearray(output.getvalue())
    sof = data.index(b"\xff\xc0")
    # SOF0: marker, length (2), precision (1), height (2), width (2).
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def many_pages_pdf(pages: int = 10_000) -> bytes:
    """A valid PDF of ``pages`` blank pages sharing one content stream (about 1 MB for 10,000)."""
    content = b"0 g 10 10 20 20 re f"
    first_page = 4
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{first_page + index} 0 R".encode() for index in range(pages))
        + f"] /Count {pages} >>".encode(),
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 3 0 R >>"
    objects.extend(page for _ in range(pages))
    return _pdf(objects)


def flate_bomb_pdf(expanded: int = 64 * 1024 * 1024) -> bytes:
    """A one-page PDF whose page tree sits in an object stream that inflates to ``expanded`` bytes."""
    body = b"2 0 << /Type /Pages /Kids [3 0 R] /Count 1 >>"
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(body)]
    block = b" " * (1024 * 1024)
    parts.extend(compressor.compress(block) for _ in range(expanded // len(block)))
    parts.append(compressor.flush())
    packed = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # in the object stream (object 4)
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream",
    ]
    return _pdf(objects, compressed={2: (4, 0)})


def _pdf(objects: list[bytes | None], compressed: dict[int, tuple[int, int]] | None = None) -> bytes:
    """Objects numbered from 1, with a cross-reference table (or stream, for compressed objects)."""
    output = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in enumerate(objects, start=1):
        if body is None:
            continue
        offsets[number] = len(output)
        output += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    size = len(objects) + 1
    if not compressed:
        xref = len(output)
        output += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
        output += b"".join(f"{offsets[number]:010d} 00000 n \n".encode() for number in range(1, size))
        output += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(output)
    # A cross-reference stream: type 1 (offset) or 2 (object stream, index) per object.
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    for number in range(1, size + 1):
        if number in compressed:
            stream, index = compressed[number]
            rows.append(struct.pack(">BIH", 2, stream, index))
        elif number == size:
            rows.append(struct.pack(">BIH", 1, len(output), 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    data = b"".join(rows)
    xref = len(output)
    header = f"<< /Type /XRef /Size {size + 1} /W [1 4 2] /Root 1 0 R /Length {len(data)} >>"
    output += f"{size} 0 obj\n{header}\nstream\n".encode() + data + b"\nendstream\nendobj\n"
    output += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(output)
