"""Which receipt peppers the inboxes still need, after a rotation. Reads intake's settings, as the service does:

    python -m intake.followup.peppers

prints each configured pepper's id (the current one first, then INTAKE_RECEIPT_RETIRED_PEPPERS) and how
many inboxes were made under it. A retired pepper no inbox uses any more can be dropped. Inboxes from
before pepper ids were recorded are counted apart: they need the pepper that was current then. Inboxes
under a pepper no longer configured are counted too: their receipts no longer open them.
"""

import asyncio

from intake.bootstrap import receipt_hasher
from intake.followup.repository import InboxRepository
from intake.receipts import ReceiptHasher
from intake.settings import Settings
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import secrets_dir


async def pepper_usage(hasher: ReceiptHasher, inboxes: InboxRepository) -> str:
    """One line per configured pepper with its inboxes, then those without a pepper id and those under no configured pepper."""
    lines, counted = [], 0
    for position, pepper_id in enumerate(hasher.pepper_ids):
        count = await inboxes.count(pepper_id=pepper_id)
        counted += count
        lines.append(_line(pepper_id, "current" if position == 0 else "retired", count))
    without_id = await inboxes.count(without_pepper_id=True)
    unknown = await inboxes.count() - counted - without_id
    lines.append(_line("no id", "-", without_id, "made before pepper ids were recorded: they need the pepper current then"))
    lines.append(_line("unknown", "-", unknown, "under a pepper no longer configured: their receipts open nothing"))
    return "\n".join(lines)


def _line(name: str, role: str, count: int, note: str = "") -> str:
    return f"{name:<9} {role:<8} {count:>7} inbox(es)" + (f"  ({note})" if note else "")


async def _main(settings: Settings) -> str:
    client = create_client(settings.mongodb, app_name="intake-peppers")
    try:
        return await pepper_usage(receipt_hasher(settings), InboxRepository(client[settings.database]))
    finally:
        await client.close()


if __name__ == "__main__":
    print(asyncio.run(_main(Settings(_secrets_dir=secrets_dir()))))
