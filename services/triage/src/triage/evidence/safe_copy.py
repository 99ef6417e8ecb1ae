"""Making a safe copy: decode a file from a stranger and build a new one from its pixels or characters alone.

Runs inside the converting process (`triage.evidence.convert`), never in the service: every decoder here parses
hostile input. What survives is what a person would see, nothing a viewer would execute or a metadata reader find.
"""

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageOps

from triage.evidence.limits import ConversionLimits

# The decoder each type is opened with; no other format's parser ever sees the bytes.
_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Characters that can hide or reorder text (controls, bidi overrides and isolates) are shown as their code.
_HIDING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Unsafe(Exception):
    """The file cannot be made safe; `reason` is the short code staff see."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SafeCopy:
    """A file rebuilt from what it shows, with a thumbnail for the case page (none for text)."""

    media_type: str
    content: bytes
    thumbnail: bytes | None
    pages: int | None = None


def make_safe_copy(data: bytes, media_type: str, limits: ConversionLimits) -> SafeCopy:
    """The safe copy of a file of the given (content-recognised) type; raises Unsafe with a reason code."""
    if media_type in _IMAGE_FORMATS:
        return _image(data, media_type, limits)
    if media_type == "application/pdf":
        return _pdf(data, limits)
    if media_type == "text/plain":
        return SafeCopy("text/plain; charset=utf-8", safe_text(data).encode(), None)
    raise Unsafe("unsupported_type")


def safe_text(data: bytes) -> str:
    """Text decoded as UTF-8 (broken bytes replaced), with characters that hide or reorder text shown as their code."""
    return _HIDING.sub(lambda match: f"\\u{ord(match.group()):04x}", data.decode("utf-8", errors="replace"))


def _image(data: bytes, media_type: str, limits: ConversionLimits) -> SafeCopy:
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with Image.open(io.BytesIO(data), formats=[_IMAGE_FORMATS[media_type]]) as image:
            if image.width * image.height > limits.max_image_pixels:
                raise Unsafe("too_many_pixels")
            image.seek(0)  # an animation's first frame only
            image.load()
            upright = ImageOps.exif_transpose(image)
            pixels = _pixels_only(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Unsafe("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError):
        raise Unsafe("corrupt") from None
    if media_type == "image/jpeg":
        return SafeCopy("image/jpeg", _encode(pixels, "JPEG", quality=90), _thumbnail(pixels, limits))
    return SafeCopy("image/png", _encode(pixels, "PNG"), _thumbnail(pixels, limits))


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixel values alone: no EXIF, GPS, XMP, ICC profile or text chunk can come along."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def _thumbnail(image: Image.Image, limits: ConversionLimits) -> bytes:
    small = image.copy()
    small.thumbnail((limits.thumbnail_pixels, limits.thumbnail_pixels))
    return _encode(small, "PNG")


def _pdf(data: bytes, limits: ConversionLimits) -> SafeCopy:
    import pypdfium2 as pdfium  # loaded only in the converting process
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise Unsafe("corrupt") from None
    pages = len(document)
    if pages == 0:
        raise Unsafe("corrupt")
    if pages > limits.max_pdf_pages:
        raise Unsafe("too_many_pages")
    out = io.BytesIO()
    # invariant: no creation date or document id; the rebuilt file says nothing but what its pages show.
    canvas = Canvas(out, invariant=1, pageCompression=1)
    thumbnail = None
    for index in range(pages):
        page = document[index]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise Unsafe("corrupt")
        scale = min(limits.pdf_dpi / 72, (limits.max_page_pixels / (width * height)) ** 0.5)
        rendered = page.render(scale=scale).to_pil().convert("RGB")
        if thumbnail is None:
            thumbnail = _thumbnail(rendered, limits)
        # Each page goes in as JPEG bytes, which ReportLab embeds as they are: only one page's pixels are in memory.
        canvas.setPageSize((width, height))
        canvas.drawImage(ImageReader(io.BytesIO(_encode(rendered, "JPEG", quality=85))), 0, 0, width, height)
        canvas.showPage()
        page.close()
    canvas.save()
    document.close()
    return SafeCopy("application/pdf", out.getvalue(), thumbnail, pages)
