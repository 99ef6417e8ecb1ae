"""The archive's lists: ids of closed cases per group (all, month, district, life area and the month with either), in pages.

A list is a small head document (`archive_heads`, `_id` = group: page count, size of the last page, length) and pages
of at most `PAGE_SIZE` ids (`archive_pages`, `_id` = "<group>|<page>"), in closing order. Pages, not one growing
array: FerretDB rewrites a whole document on every update, so a write costs one page, never the whole list.
"""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]

PAGE_SIZE = 500
ALL = "closed"


def archive_groups_of(case: Document) -> list[str]:
    """The lists a closed case belongs to; the life area is staff's classification where it exists (as the queue filters)."""
    month, district = case["received_month"], (case.get("reporter") or {}).get("district")
    area = (case.get("effective") or {}).get("life_area")
    keys = [ALL, f"month:{month}"]
    if district:
        keys += [f"district:{district}", f"month:{month}|district:{district}"]
    if area:
        keys += [f"area:{area}", f"month:{month}|area:{area}"]
    return keys


def group_of_filters(*, month: str | None, district: str | None, area: str | None) -> str | None:
    """The list holding exactly the closed cases of these filters, or None for a combination no list keeps."""
    if district and area:
        return None
    parts = [f"month:{month}"] if month else []
    parts += [f"district:{district}"] if district else []
    parts += [f"area:{area}"] if area else []
    return "|".join(parts) or ALL


def page_id(group: str, number: int) -> str:
    """The `_id` of one page of a list."""
    return f"{group}|{number}"


def paged(groups: dict[str, list[str]]) -> tuple[list[Document], list[Document], dict[str, list[Document]]]:
    """Heads and pages for whole lists (a rebuild), and for each case id the places ({group, page}) it was put in."""
    heads, pages, places = [], [], {}
    for group, ids in groups.items():
        chunks = [ids[start : start + PAGE_SIZE] for start in range(0, len(ids), PAGE_SIZE)]
        for number, chunk in enumerate(chunks):
            pages.append({"_id": page_id(group, number), "ids": chunk})
            for case_id in chunk:
                places.setdefault(case_id, []).append({"group": group, "page": number})
        heads.append({"_id": group, "pages": len(chunks), "last": len(chunks[-1]), "count": len(ids)})
    return heads, pages, places


class ArchivePages:
    """Appends to, removes from and reads the paged lists (writes are serialised by the queue view's lock)."""

    def __init__(self, database: AsyncDatabase) -> None:
        self.heads = database["archive_heads"]
        self.pages = database["archive_pages"]

    async def append(self, group: str, case_id: str) -> int:
        """Add a case id at the end of a list; returns the page it went to."""
        head = await self.heads.find_one({"_id": group}) or {"pages": 0, "last": PAGE_SIZE}
        fresh = head["last"] >= PAGE_SIZE
        number = head["pages"] if fresh else head["pages"] - 1
        await self.pages.update_one({"_id": page_id(group, number)}, {"$push": {"ids": case_id}}, upsert=True)
        last = 1 if fresh else head["last"] + 1
        await self.heads.update_one({"_id": group}, {"$set": {"pages": number + 1, "last": last}, "$inc": {"count": 1}}, upsert=True)
        return number

    async def remove(self, group: str, number: int, case_id: str) -> None:
        """Take a case id out of the page it was put in (a reopened or erased case)."""
        result = await self.pages.update_one({"_id": page_id(group, number)}, {"$pullAll": {"ids": [case_id]}})
        if result.modified_count:
            head = await self.heads.find_one({"_id": group}) or {}
            last = {"last": -1} if head.get("pages", 0) - 1 == number else {}
            await self.heads.update_one({"_id": group}, {"$inc": {"count": -1, **last}})

    async def read(self, group: str, *, skip: int, limit: int) -> tuple[list[str], int]:
        """Ids of a list, most recently closed first, from `skip` on, and the list's length: reads pages by `_id` from the end."""
        head = await self.heads.find_one({"_id": group})
        if not head:
            return [], 0
        found: list[str] = []
        number = head["pages"] - 1
        while number >= 0 and len(found) < skip + limit:
            page = await self.pages.find_one({"_id": page_id(group, number)})
            found += reversed(page["ids"]) if page else []
            number -= 1
        return found[skip : skip + limit], head.get("count", 0)
