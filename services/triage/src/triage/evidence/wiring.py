"""The evidence flow's consumer: safe copies for new cases, deletion for erased ones, off the path that opens cases."""

from collections.abc import Sequence

from faststream.kafka import KafkaBroker
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from meldestelle_shared.consuming import subscribe
from meldestelle_shared.events import CaseCreated, CaseErased, Event
from meldestelle_shared.metrics import ConsumerMetrics
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import Keyring
from meldestelle_shared.settings import MongoSettings
from triage.cases.repository import CaseRepository
from triage.evidence.limits import EvidenceSettings
from triage.evidence.service import EvidenceDesk, erase_evidence, make_safe_copies
from triage.evidence.store import OriginalStore, SafeCopyStore


def evidence_desk(
    client: AsyncMongoClient, mongodb: MongoSettings, *, store_database: str, safe_database: str, office_key: Keyring, settings: EvidenceSettings
) -> EvidenceDesk:
    """The stores (the evidence store on its own server, with the URI's own login, if `settings.store_uri` names one) and the keyring."""
    store_uri = settings.store_uri.get_secret_value()
    elsewhere = mongodb.model_copy(update={"uri": store_uri, "username": "", "password": SecretStr("")})
    store_client = create_client(elsewhere, app_name="triage") if store_uri else client
    return EvidenceDesk(OriginalStore(store_client[store_database]), SafeCopyStore(client[safe_database]), office_key, settings)


def consume_case_events_for_evidence(
    broker: KafkaBroker, topic: str, *, group: str, dead_letter_topic: str, cases: CaseRepository, desk: EvidenceDesk, metrics: ConsumerMetrics
) -> None:
    """Make safe copies on CaseCreated and delete files on CaseErased, one event at a time (a conversion may take a while)."""

    async def handle(events: Sequence[Event]) -> None:
        created = [str(event.case_id) for event in events if isinstance(event, CaseCreated)]
        await make_safe_copies(created, cases=cases, desk=desk)
        await erase_evidence([str(event.case_id) for event in events if isinstance(event, CaseErased)], desk=desk)

    subscribe(
        broker,
        topic,
        group=group,
        handle=handle,
        dead_letter_topic=dead_letter_topic,
        metrics=metrics,
        max_records=1,
        description="Makes the safe copies of each new case's files in a confined process; deletes an erased case's files.",
    )
