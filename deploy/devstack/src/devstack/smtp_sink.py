"""An SMTP server that delivers nothing: it stores each received message as an .eml file."""

import argparse
import asyncio
import email.policy
import logging
import os
import re
import signal
import sys
import time
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from devstack.processes import ManagedProcess, wait_for_port

log = logging.getLogger("devstack.smtp_sink")

# IPv4, full IPv6, and compressed IPv6 (anything around a "::").
_ADDRESS = re.compile(
    r"\b\d{1,3}(\.\d{1,3}){3}\b|\b[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){3,7}\b|[0-9a-fA-F:]*::[0-9a-fA-F:]*"
)


class _RedactAddresses(logging.Filter):
    """Masks anything shaped like an IP address, since client addresses must never be logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _ADDRESS.sub("[addr]", record.getMessage())
        record.args = None
        return True


class MaildirHandler:
    """aiosmtpd handler writing each message atomically to maildir/{time_ns}-{uuid}.eml."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the message with its envelope in X-Envelope-From/X-Envelope-To headers."""
        recipients = ", ".join(envelope.rcpt_tos)
        headers = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {recipients}\r\n"
        content = envelope.original_content or envelope.content
        name = f"{time.time_ns()}-{uuid.uuid4().hex}"
        # Readers glob *.eml, so they never see the message half-written.
        partial = self.maildir / f".{name}.tmp"
        partial.write_bytes(headers.encode() + content)
        os.replace(partial, self.maildir / f"{name}.eml")
        log.info("stored %s.eml for %d recipient(s)", name, len(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, maildir: Path) -> None:
    """Run the SMTP server until SIGTERM or SIGINT."""
    maildir.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = MaildirHandler(maildir)
    # A fixed hostname: aiosmtpd's default looks up the FQDN, which can stall without DNS.
    server = await loop.create_server(lambda: SMTP(handler, hostname="devstack-smtp-sink"), host, port)
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    log.info("listening on port %d, storing mail in %s", port, maildir)
    await stopping.wait()
    server.close()
    await server.wait_closed()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the sink."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args(argv)

    handler = logging.StreamHandler()
    handler.addFilter(_RedactAddresses())
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=[handler]
    )
    # aiosmtpd logs every peer address at INFO on this logger.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    asyncio.run(serve(args.host, args.port, args.maildir))


class SmtpSink:
    """Runs the sink as a child process on 127.0.0.1; mail lands in data_dir/maildir."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.maildir = self.data_dir / "maildir"
        self.process = ManagedProcess(
            "smtp-sink",
            [
                sys.executable,
                "-m",
                "devstack.smtp_sink",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--maildir",
                str(self.maildir),
            ],
            cwd=self.data_dir,
            log_path=self.data_dir / "smtp-sink.log",
        )

    def start(self) -> None:
        """Launch the sink process."""
        self.maildir.mkdir(parents=True, exist_ok=True)
        self.process.start()

    @property
    def is_running(self) -> bool:
        """Whether the sink process is running."""
        return self.process.is_running

    def wait_ready(self, timeout: float = 15) -> None:
        """Block until the sink accepts connections."""
        wait_for_port("127.0.0.1", self.port, timeout, self.process)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the sink cleanly."""
        self.process.stop(timeout)

    def kill(self) -> None:
        """Kill the sink at once."""
        self.process.kill()

    def messages(self) -> list[EmailMessage]:
        """Parse the stored messages, oldest first."""
        parser = BytesParser(policy=email.policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.maildir.glob("*.eml"))]


if __name__ == "__main__":
    main()
