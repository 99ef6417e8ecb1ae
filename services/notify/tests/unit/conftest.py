"""In-memory stand-ins for notify's stores and mailer (unit tier only)."""

from contextlib import asynccontextmanager

import pytest

from meldestelle_shared.sealing import generate_key_pair, load_private_key, load_public_key, seal, unseal
from notify.schedule import WaitingNotice
from notify.service import Addresses, Notifier


class MemoryLog:
    def __init__(self):
        self.status = {}

    async def done_among(self, keys):
        return {key for key in keys if self.status.get(key) in ("sent", "refused")}

    async def mark_sending(self, kinds):
        self.status.update(dict.fromkeys(kinds, "sending"))

    async def mark_sent(self, key):
        self.status[key] = "sent"

    async def mark_refused(self, key, error):
        self.status[key] = "refused"


class MemoryContacts:
    def __init__(self):
        self.contacts = {}

    async def remember(self, report_id, sealed_email, language):
        self.contacts[report_id] = {"sealed_email": sealed_email, "language": language}

    async def find(self, report_id):
        return self.contacts.get(report_id)

    async def forget(self, report_id):
        self.contacts.pop(report_id, None)

    async def record_notice(self, report_id, *, covered_until, sent_at):
        contact = self.contacts[report_id]
        contact["notified_until"] = max(covered_until, contact.get("notified_until", covered_until))
        contact["last_notice_at"] = sent_at


class MemoryNotices:
    def __init__(self):
        self.waiting = {}

    async def add(self, report_id, *, news_at, due_at):
        entry = self.waiting.setdefault(report_id, {"due_at": due_at, "latest": news_at})
        entry["latest"] = max(entry["latest"], news_at)

    async def due(self, now, limit=100):
        return [WaitingNotice(key, entry["latest"]) for key, entry in self.waiting.items() if entry["due_at"] <= now]

    async def done(self, notice, *, next_due_at):
        if self.waiting[notice.report_id]["latest"] == notice.latest:
            del self.waiting[notice.report_id]
        else:
            self.waiting[notice.report_id]["due_at"] = next_due_at

    async def drop(self, report_id):
        self.waiting.pop(report_id, None)


ADDRESSES = Addresses(sender="s@x", office="office@x", leads="leads@x", workbench_url="http://wb", public_url="http://site")
KEYS = generate_key_pair()


class Outbox(list):
    """The e-mails sent, and how many SMTP connections carried them."""

    connections = 0


@pytest.fixture
def outbox():
    return Outbox()


@pytest.fixture
def open_sealed():
    """How the notifier opens sealed addresses: with notify's one key (a test module may override this)."""
    return lambda sealed: unseal(load_private_key(KEYS[0]), sealed)


@pytest.fixture
def notifier(outbox, open_sealed):
    @asynccontextmanager
    async def connect():
        outbox.connections += 1

        async def send(message):
            outbox.append(message)

        yield send

    return Notifier(
        deliveries=MemoryLog(),
        contacts=MemoryContacts(),
        connect=connect,
        notices=MemoryNotices(),
        addresses=ADDRESSES,
        open_sealed=open_sealed,
    )


@pytest.fixture
def seal_for_notify():
    """Seal text for notify, as intake does with a consenting reporter's address."""
    return lambda text: seal(load_public_key(KEYS[1]), text)
