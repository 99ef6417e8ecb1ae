"""The intake benchmark's baseline: bare FastAPI doing intake's durable work with bare clients, answering 201.

Per report: validate the same model, insert one document into intake's database (like the reporter
inbox, on the same server, as intake's user) and send one record to the reports topic with acks=all
(an idempotent aiokafka producer, as intake's). No sealing, no receipt hash, no throttle, no
middleware: what the web stack and the two durable writes alone cost. Reads intake's own settings
(the stack's environment and secrets), so it talks to the same Kafka and database.
"""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, status

from intake.reports.schemas import ReportCreate, ReportReceipt
from intake.settings import Settings
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import secrets_dir

COLLECTION = "baseline_inboxes"


def create_app() -> FastAPI:
    """Build the baseline application on intake's settings."""
    settings = Settings(_secrets_dir=secrets_dir())
    client = create_client(settings.mongodb, app_name="baseline")
    inboxes = client[settings.database][COLLECTION]
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers.split(","),
        enable_idempotence=True,  # acks=all, as intake's producer
        linger_ms=settings.kafka.linger_ms,
        **settings.kafka.client_options(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await producer.start()
        try:
            yield
        finally:
            await producer.stop()
            await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/api/v1/reports", status_code=status.HTTP_201_CREATED)
    async def create_report(report: ReportCreate) -> ReportReceipt:
        """Store an inbox-sized document, send the report to Kafka, answer with a receipt-shaped body."""
        report_id = uuid4()
        await inboxes.insert_one({"_id": str(report_id), "sealed": secrets.token_bytes(len(report.description) + 200)})
        await producer.send_and_wait(settings.kafka.topics.reports, report.model_dump_json().encode(), key=str(report_id).encode())
        return ReportReceipt(report_id=report_id, receipt="0000 0000 0000 0000")

    return app
