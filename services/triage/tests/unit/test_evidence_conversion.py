"""Safe copies, made in-process from generated files: what survives the conversion is pixels or characters, nothing else."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from triage.evidence.limits import ConversionLimits
from triage.evidence.safe_copy import Unsafe, make_safe_copy, safe_text

LIMITS = ConversionLimits()


def test_a_jpeg_with_gps_exif_loses_all_exif(evidence_files):
    original = evidence_files.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(evidence_files.GPS_IFD)  # the attack is real
    copy = make_safe_copy(original, "image/jpeg", LIMITS)
    safe = Image.open(io.BytesIO(copy.content))
    assert copy.media_type == "image/jpeg" and safe.size == (640, 480)
    assert dict(safe.getexif()) == {} and "exif" not in safe.info
    assert b"Exif" not in copy.content and evidence_files.SECRET.encode() not in copy.content and b"CameraMaker" not in copy.content
    thumbnail = Image.open(io.BytesIO(copy.thumbnail))
    assert thumbnail.format == "PNG" and max(thumbnail.size) == LIMITS.thumbnail_pixels


def test_a_png_loses_its_text_chunks_and_icc_profile(evidence_files):
    original = evidence_files.png_with_text_and_icc()
    assert Image.open(io.BytesIO(original)).info["Comment"] == evidence_files.SECRET
    copy = make_safe_copy(original, "image/png", LIMITS)
    safe = Image.open(io.BytesIO(copy.content))
    assert copy.media_type == "image/png" and safe.size == (300, 200)
    assert not {"Comment", "icc_profile", "exif", "XML:com.adobe.xmp"} & set(safe.info)
    assert evidence_files.SECRET.encode() not in copy.content


def test_a_decompression_bomb_is_refused_from_its_header(evidence_files):
    bomb = evidence_files.png_bomb()
    assert len(bomb) < 1000
    with pytest.raises(Unsafe) as refused:
        make_safe_copy(bomb, "image/png", LIMITS)
    assert refused.value.reason == "too_many_pixels"


def test_a_truncated_png_is_corrupt(evidence_files):
    with pytest.raises(Unsafe) as refused:
        make_safe_copy(evidence_files.truncated_png(), "image/png", LIMITS)
    assert refused.value.reason == "corrupt"


def test_a_png_declared_as_jpeg_meets_only_the_jpeg_decoder(evidence_files):
    with pytest.raises(Unsafe) as refused:
        make_safe_copy(evidence_files.noise_png(), "image/jpeg", LIMITS)
    assert refused.value.reason == "corrupt"


def test_a_pdf_with_javascript_an_embedded_file_and_metadata_becomes_pixels_only(evidence_files):
    original = evidence_files.hostile_pdf()
    before = PdfReader(io.BytesIO(original))
    assert "/Names" in before.trailer["/Root"] and before.metadata["/Author"] == evidence_files.SECRET  # the attack is real
    assert b"/JS" in original and b"/EmbeddedFile" in original
    copy = make_safe_copy(original, "application/pdf", LIMITS)
    assert copy.media_type == "application/pdf" and copy.pages == 1
    for marker in (b"/JS", b"/JavaScript", b"/EmbeddedFile", b"/OpenAction", b"/AA", b"/AcroForm", b"/URI", b"/Launch", b"/Metadata"):
        assert marker not in copy.content, marker
    safe = PdfReader(io.BytesIO(copy.content))
    root = safe.trailer["/Root"]
    assert not {"/Names", "/OpenAction", "/AcroForm", "/Metadata", "/AA"} & set(root.keys())
    assert safe.attachments == {} and safe.xmp_metadata is None
    assert evidence_files.SECRET not in str(safe.metadata) and "Hidden title" not in str(safe.metadata)
    [page] = safe.pages
    resources = page["/Resources"]
    assert "/Annots" not in page and set(resources.keys()) <= {"/XObject", "/ProcSet", "/Font"}
    # ReportLab names its standard font on every page; no font program (which a viewer would parse) is embedded.
    assert b"/FontFile" not in copy.content and all("/FontDescriptor" not in f.get_object() for f in resources.get("/Font", {}).values())
    assert all(xobject.get_object()["/Subtype"] == "/Image" for xobject in resources["/XObject"].values())
    assert Image.open(io.BytesIO(copy.thumbnail)).format == "PNG"


def test_a_pdf_with_more_pages_than_the_cap_is_refused(evidence_files):
    with pytest.raises(Unsafe) as refused:
        make_safe_copy(evidence_files.pdf_with_pages(7), "application/pdf", ConversionLimits(max_pdf_pages=6))
    assert refused.value.reason == "too_many_pages"
    assert make_safe_copy(evidence_files.pdf_with_pages(6), "application/pdf", ConversionLimits(max_pdf_pages=6)).pages == 6


def test_a_huge_pdf_page_is_rendered_within_the_pixel_cap():
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(14_400, 14_400)  # 200 inches square: 484 megapixels at 110 dpi
    writer.write(out)
    copy = make_safe_copy(out.getvalue(), "application/pdf", ConversionLimits(max_page_pixels=1_000_000))
    image = next(iter(PdfReader(io.BytesIO(copy.content)).pages[0]["/Resources"]["/XObject"].values())).get_object()
    assert image["/Width"] * image["/Height"] <= 1_000_000


@pytest.mark.parametrize("garbage", [b"", b"%PDF-1.7\n garbage", b"not a pdf at all"])
def test_a_broken_pdf_is_corrupt(garbage):
    with pytest.raises(Unsafe) as refused:
        make_safe_copy(garbage, "application/pdf", LIMITS)
    assert refused.value.reason == "corrupt"


def test_text_is_decoded_with_replacement_and_hiding_characters_are_shown():
    hostile = "Miete \u202egpj.exe\u202c ok\x1b[31m".encode() + b" \xff\xfe end"
    assert safe_text(hostile) == "Miete \\u202egpj.exe\\u202c ok\\u001b[31m \ufffd\ufffd end"
    copy = make_safe_copy(hostile, "text/plain", LIMITS)
    assert copy.media_type == "text/plain; charset=utf-8" and copy.thumbnail is None
    assert copy.content.decode() == safe_text(hostile)


def test_an_unknown_type_is_refused():
    with pytest.raises(Unsafe) as refused:
        make_safe_copy(b"<svg onload=alert(1)>", "image/svg+xml", LIMITS)
    assert refused.value.reason == "unsupported_type"
