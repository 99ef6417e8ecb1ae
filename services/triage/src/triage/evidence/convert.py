"""The converting process: `python -m triage.evidence.convert`, one file per process, under resource limits.

Protocol. stdin: one JSON line `{"media_type", "limits", "memory_mb", "cpu_seconds"}`, then the file's bytes.
stdout: one JSON line, `{"state": "safe", "media_type", "pages", "content", "thumbnail"}` (the two lengths in bytes)
followed by the content and the thumbnail, or `{"state": "could_not_be_made_safe", "reason"}`.
The limits are set before the first byte of the file is read, so a hostile file meets them from its first byte.
"""

import json
import resource
import sys

from PIL import Image

from triage.evidence.limits import ConversionLimits
from triage.evidence.safe_copy import Unsafe, make_safe_copy


def confine(memory_mb: int, cpu_seconds: int) -> None:
    """Cap this process: address space, CPU time, no file written, no file or socket opened."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (3, 3))


def main() -> None:
    """Read one file, write its safe copy or the reason there is none."""
    Image.init()  # every image plugin imported now: no module is opened after the limits are set
    import pypdfium2  # noqa: F401 - loaded now for the same reason
    import reportlab.pdfgen.canvas  # noqa: F401

    header = json.loads(sys.stdin.buffer.readline())
    confine(int(header["memory_mb"]), int(header["cpu_seconds"]))
    data = sys.stdin.buffer.read()
    try:
        copy = make_safe_copy(data, str(header["media_type"]), ConversionLimits.model_validate(header["limits"]))
    except Unsafe as unsafe:
        _answer({"state": "could_not_be_made_safe", "reason": unsafe.reason})
        return
    except MemoryError:
        _answer({"state": "could_not_be_made_safe", "reason": "memory_limit"})
        return
    thumbnail = copy.thumbnail or b""
    _answer(
        {"state": "safe", "media_type": copy.media_type, "pages": copy.pages, "content": len(copy.content), "thumbnail": len(thumbnail)},
        copy.content + thumbnail,
    )


def _answer(header: dict[str, object], payload: bytes = b"") -> None:
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + payload)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
