"""The form's draft store: per session, forgotten when idle, bounded in size, holding no cookie value."""

from intake.site import drafts
from intake.site.drafts import Draft, DraftStore
from intake.site.report_form import Answers


async def test_a_draft_is_kept_per_session_and_forgotten_when_idle(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(drafts.time, "monotonic", lambda: now[0])
    store = DraftStore(idle_seconds=60)
    await store.put("session-a", Draft("form-1", Answers(description="Zehn Zeichen und mehr")))
    assert (await store.get("session-a")).answers.description == "Zehn Zeichen und mehr" and await store.get("session-b") is None
    now[0] += 59
    assert await store.get("session-a") is not None  # reading counts as use
    now[0] += 61
    assert await store.get("session-a") is None


async def test_the_oldest_session_goes_first_and_no_cookie_value_is_held():
    store = DraftStore(max_sessions=2)
    for name in ("a", "b", "c"):
        await store.put(f"session-{name}", Draft(name))
    assert await store.get("session-a") is None and (await store.get("session-c")).form_id == "c"
    assert not any("session" in key for key in store._drafts)
    await store.forget("session-c")
    assert await store.get("session-c") is None
