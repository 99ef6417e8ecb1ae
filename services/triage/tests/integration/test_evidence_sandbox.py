"""The converting process for real: a file that needs too much memory or time fails its own conversion, and only that."""

import io
import time

import psutil
from PIL import Image

from triage.evidence.limits import ConversionLimits, EvidenceSettings
from triage.evidence.safe_copy import SafeCopy
from triage.evidence.sandbox import Refused, convert_in_sandbox

ROOMY = ConversionLimits(max_image_pixels=400_000_000)


async def test_files_are_converted_in_a_confined_child(evidence_files):
    copy = await convert_in_sandbox(evidence_files.hostile_pdf(), "application/pdf", EvidenceSettings())
    assert isinstance(copy, SafeCopy) and copy.pages == 1 and b"/JS" not in copy.content
    photo = await convert_in_sandbox(evidence_files.jpeg_with_gps(), "image/jpeg", EvidenceSettings())
    assert isinstance(photo, SafeCopy) and dict(Image.open(io.BytesIO(photo.content)).getexif()) == {}


async def test_refusals_from_inside_the_child_come_back_with_their_reason(evidence_files):
    assert await convert_in_sandbox(evidence_files.png_bomb(), "image/png", EvidenceSettings()) == Refused("too_many_pixels")
    assert await convert_in_sandbox(evidence_files.truncated_png(), "image/png", EvidenceSettings()) == Refused("corrupt")


async def test_a_file_that_needs_more_memory_than_allowed_fails_alone(evidence_files):
    # 225 megapixels pass the (raised) pixel cap, but decoding them does not fit in 160 MiB of address space.
    hungry = evidence_files.large_gray_png(15_000)
    before = children()
    outcome = await convert_in_sandbox(hungry, "image/png", EvidenceSettings(limits=ROOMY, memory_mb=160))
    assert outcome == Refused("memory_limit")
    assert children() <= before  # no converter left running
    after = await convert_in_sandbox(evidence_files.noise_png(), "image/png", EvidenceSettings())
    assert isinstance(after, SafeCopy)  # the next file converts as usual


async def test_a_file_that_takes_too_long_is_killed_and_marked(evidence_files):
    slow = evidence_files.large_gray_png(6_000)
    before, started = children(), time.monotonic()
    outcome = await convert_in_sandbox(slow, "image/png", EvidenceSettings(limits=ROOMY, timeout_seconds=1))
    assert outcome == Refused("time_limit") and time.monotonic() - started < 10
    assert children() <= before  # the converter was killed, not left running
    after = await convert_in_sandbox(evidence_files.noise_png(), "image/png", EvidenceSettings())
    assert isinstance(after, SafeCopy)


def children() -> set[int]:
    """This test process's child processes (the session's Kafka and database servers among them)."""
    return {child.pid for child in psutil.Process().children(recursive=True)}
