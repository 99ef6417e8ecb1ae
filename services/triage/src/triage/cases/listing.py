"""The queue and its export, for the API and the workbench alike; each read is audited."""

import csv
import io

from triage.audit.log import Actor, AuditLog
from triage.cases.access import case_summary
from triage.cases.queue import SORTS, CaseQuery, archive_group, build_filter
from triage.cases.repository import CaseRepository
from triage.cases.schemas import CasePage

EXPORT_COLUMNS = ["reference", "status", "priority", "received_month", "life_area", "district", "grounds", "forms", "closure_reason"]


async def queue_page(query: CaseQuery, *, reader: Actor, cases: CaseRepository, audit: AuditLog) -> CasePage:
    """The queue for a query, with a count per status (the status filter aside); audited as one view of the queue."""
    skip, every_status = (query.page - 1) * query.page_size, build_filter(query, me=reader.id, with_status=False)
    closed = query.status is not None and query.status.value == "closed"
    if not closed and not query.reference:
        # The queue proper: one scan of the open cases' read model answers the page and the counts.
        status = query.status.value if query.status else None
        page, total, counts, replies = await cases.open_listing(
            every_status, status=status, sort=SORTS[query.sort], skip=skip, limit=query.page_size
        )
    else:
        if query.reference:
            case = await cases.by_reference(query.reference)
            page, total = ([case], 1) if case else ([], 0)
        elif (group := archive_group(query)) is not None:
            # Closed cases by month, district or area come from the archive's lists, most recently closed first.
            page, total = await cases.archived(group, skip=skip, limit=query.page_size)
        else:
            page, total = await cases.page(build_filter(query, me=reader.id), sort=SORTS[query.sort], skip=skip, limit=query.page_size)
        counts, replies = await cases.queue_counts(every_status)
    await audit.append(reader, "queue.view")
    items = [case_summary(case) for case in page]
    return CasePage(items=items, total=total, page=query.page, page_size=query.page_size, counts=counts, replies_waiting=replies)


async def export_csv(query: CaseQuery, *, reader: Actor, cases: CaseRepository, audit: AuditLog) -> str:
    """The queue's codes as CSV, never texts: for the office's own reporting. Audited as an export."""
    rows = await cases.find(build_filter(query, me=reader.id))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for case in rows:
        effective = case.effective
        writer.writerow(
            [case.reference, case.status.value, case.priority.priority.value, case.received_month, effective.life_area or "",
             case.reporter.district or "", " ".join(effective.grounds), " ".join(effective.forms),
             case.closure_reason.value if case.closure_reason else ""]
        )  # fmt: skip
    await audit.append(reader, "case.export", reason=f"{len(rows)} cases")
    return buffer.getvalue()
