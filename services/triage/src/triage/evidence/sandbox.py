"""Running one conversion in its own process, with a time and memory limit, so a hostile file only fails its own conversion."""

import asyncio
import json
import math
import signal
import sys
from dataclasses import dataclass

from triage.evidence.limits import EvidenceSettings
from triage.evidence.safe_copy import SafeCopy

# What a child that ended badly is marked with.
_SIGNAL_REASONS = {signal.SIGXCPU: "time_limit", signal.SIGKILL: "time_limit", signal.SIGSEGV: "crashed", signal.SIGABRT: "crashed"}


@dataclass(frozen=True)
class Refused:
    """No safe copy: the short reason code staff see."""

    reason: str


async def convert_in_sandbox(data: bytes, media_type: str, settings: EvidenceSettings) -> SafeCopy | Refused:
    """The file's safe copy, made by a confined child process; whatever goes wrong there comes back as Refused."""
    header = {
        "media_type": media_type, "limits": settings.limits.model_dump(), "memory_mb": settings.memory_mb,
        "cpu_seconds": math.ceil(settings.timeout_seconds),
    }  # fmt: skip
    # An empty environment: the child never holds the office key or any other secret of the service.
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-I", "-m", "triage.evidence.convert",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env={"LANG": "C.UTF-8"}, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(child.communicate(json.dumps(header).encode() + b"\n" + data), settings.timeout_seconds)
    except TimeoutError:
        child.kill()
        await child.wait()
        return Refused("time_limit")
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    if child.returncode != 0:
        return Refused(_SIGNAL_REASONS.get(-child.returncode, "conversion_failed"))  # type: ignore[call-overload]
    return _read_answer(output)


def _read_answer(output: bytes) -> SafeCopy | Refused:
    line, _, payload = output.partition(b"\n")
    try:
        answer = json.loads(line)
    except ValueError:
        return Refused("crashed")
    if answer.get("state") != "safe":
        return Refused(str(answer.get("reason") or "crashed"))
    content_length, thumbnail_length = int(answer["content"]), int(answer["thumbnail"])
    if len(payload) != content_length + thumbnail_length:
        return Refused("crashed")
    thumbnail = payload[content_length:] or None
    return SafeCopy(str(answer["media_type"]), payload[:content_length], thumbnail, answer.get("pages"))
