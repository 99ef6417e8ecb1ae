"""HTTP edge of the referral directory: the counselling services staff may refer cases to."""

from fastapi import APIRouter

from triage.auth import Reader
from triage.bootstrap import Context
from triage.cases.schemas import CounsellingServiceRead
from triage.edge import API_ERROR_RESPONSES
from triage.referrals.directory import CounsellingService

router = APIRouter(prefix="/api/v1/referral-services", tags=["referrals"], responses=API_ERROR_RESPONSES)


def service_read(service: CounsellingService) -> CounsellingServiceRead:
    """The API view of a directory entry."""
    return CounsellingServiceRead(
        id=service.id, name=service.name, topics=list(service.topics), languages=list(service.languages),
        contact=service.contact.model_dump(exclude_none=True), accessibility=list(service.accessibility), example=service.example,
    )  # fmt: skip


@router.get("", summary="The referral directory")
async def list_services(principal: Reader, context: Context) -> list[CounsellingServiceRead]:
    """Every counselling service of the directory; sample entries are marked example."""
    return [service_read(service) for service in context.referrals.services]
