"""The footprint benchmark's baseline: a bare FastAPI endpoint validating the report model, answering 201.

No Kafka, no database, no sealing, no receipt hash, no middleware: what the web stack alone costs.
"""

from uuid import uuid4

from fastapi import FastAPI, status

from intake.reports.schemas import ReportCreate, ReportReceipt


def create_app() -> FastAPI:
    """Build the baseline application."""
    app = FastAPI()

    @app.post("/api/v1/reports", status_code=status.HTTP_201_CREATED)
    async def create_report(report: ReportCreate) -> ReportReceipt:
        """Validate the report and answer with a receipt-shaped body."""
        return ReportReceipt(report_id=uuid4(), receipt="0000 0000 0000 0000")

    return app
