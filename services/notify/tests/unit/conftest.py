"""In-memory stand-ins for notify's stores and mailer (unit tier only)."""

from contextlib import asynccontextmanager

import pytest

from meldestelle_shared.sealing import generate_key_pair, load_private_key, load_public_key, seal, unseal
from notify.service import Addresses, Notifier


class MemoryLog:
    def __init__(self):
        self.status = {}

    async def sent_among(self, keys):
        return {key for key in keys if self.status.get(key) == "sent"}

    async def mark_sending(self, kinds):
        self.status.update(dict.fromkeys(kinds, "sending"))

    async def mark_sent(self, key):
        self.status[key] = "sent"


class MemoryContacts:
    def __init__(self):
        self.contacts = {}

    async def remember(self, report_id, sealed_email, language):
        self.contacts[report_id] = {"sealed_email": sealed_email, "language": language}

    async def find(self, report_id):
        return self.contacts.get(report_id)

    async def forget(self, report_id):
        self.contacts.pop(report_id, None)


ADDRESSES = Addresses(sender="s@x", office="office@x", leads="leads@x", workbench_url="http://wb", public_url="http://site")
KEYS = generate_key_pair()


class Outbox(list):
    """The e-mails sent, and how many SMTP connections carried them."""

    connections = 0


@pytest.fixture
def outbox():
    return Outbox()


@pytest.fixture
def notifier(outbox):
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
        addresses=ADDRESSES,
        open_sealed=lambda sealed: unseal(load_private_key(KEYS[0]), sealed),
    )


@pytest.fixture
def seal_for_notify():
    """Seal text for notify, as intake does with a consenting reporter's address."""
    return lambda text: seal(load_public_key(KEYS[1]), text)
