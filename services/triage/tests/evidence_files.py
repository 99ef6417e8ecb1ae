"""Hostile and ordinary evidence files, generated: the converter tests and the flow tests build their inputs here."""

import io
import struct
import zlib

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

GPS_IFD = 0x8825
SECRET = "Secret Author Musterfrau"


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo whose EXIF names the camera and where it was taken."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x013B] = SECRET  # Artist
    exif[GPS_IFD] = {1: "N", 2: (51.0, 26.0, 3.5), 3: "E", 4: (6.0, 45.0, 1.25)}
    return _save(image, "JPEG", exif=exif.tobytes())


def png_with_text_and_icc(size: tuple[int, int] = (300, 200)) -> bytes:
    """A screenshot with a text chunk and an ICC profile."""
    info = PngInfo()
    info.add_text("Comment", SECRET)
    return _save(Image.new("RGB", size, (20, 120, 220)), "PNG", pnginfo=info, icc_profile=b"\0" * 128 + SECRET.encode())


def noise_png(size: tuple[int, int] = (200, 200)) -> bytes:
    """A PNG of random pixels (so it does not compress away)."""
    import os

    return _save(Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)), "PNG")


def truncated_png() -> bytes:
    """A PNG cut off in the middle of its image data."""
    whole = noise_png()
    return whole[: len(whole) // 2]


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims 10 gigapixels: a few hundred bytes that would take gigabytes to decode."""
    return _png(width, height, 0, zlib.compress(b"\0" * 10_000))


def large_gray_png(side: int) -> bytes:
    """A real, valid side x side grey PNG of zeros: small on disk, side² bytes once decoded."""
    compressor, row = zlib.compressobj(9), b"\0" * (side + 1)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return _png(side, side, 0, data)


def hostile_pdf() -> bytes:
    """A PDF with JavaScript run on opening, an embedded file, and metadata (Info and XMP)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    script = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('pwned');")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    writer.add_attachment("secret.txt", f"embedded {SECRET}".encode())
    writer.add_metadata({"/Author": SECRET, "/Title": "Hidden title"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_pages(count: int) -> bytes:
    """A PDF of `count` blank pages."""
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _save(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def _png(width: int, height: int, color_type: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
