"""In-memory stand-ins for notify's stores and mailer (unit tier only)."""

import pytest

from meldestelle_shared.sealing import generate_key_pair, load_private_key, load_public_key, seal, unseal
from notify.service import Addresses, Notifier


class MemoryLog:
    def __init__(self):
        self.status = {}

    async def was_sent(self, key):
        return self.status.get(key) == "sent"

    async def mark_sending(self, key, kind):
        self.status[key] = "sending"

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


@pytest.fixture
def outbox():
    return []


@pytest.fixture
def notifier(outbox):
    async def send(message):
        outbox.append(message)

    return Notifier(
        deliveries=MemoryLog(),
        contacts=MemoryContacts(),
        send=send,
        addresses=ADDRESSES,
        open_sealed=lambda sealed: unseal(load_private_key(KEYS[0]), sealed),
    )


@pytest.fixture
def seal_for_notify():
    """Seal text for notify, as intake does with a consenting reporter's address."""
    return lambda text: seal(load_public_key(KEYS[1]), text)
