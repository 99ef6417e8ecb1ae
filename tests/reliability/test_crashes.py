"""Crashes: kill -9 a consumer mid-stream, restart it, and count what came out."""

import collections
import threading
import time

import pytest

from devstack.probes import eventually

from .conftest import case_report_ids, publish_reports, report_events

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]


def test_triage_killed_while_5000_reports_stream_in_makes_exactly_5000_cases(stack):
    events = report_events(stack, 5000)
    feeder = threading.Thread(target=publish_reports, args=(stack, events))
    feeder.start()
    eventually(lambda: len(case_report_ids(stack)) >= 500, timeout=60, what="triage to be mid-stream")
    stack.services["triage"].kill()  # SIGKILL: no shutdown, no commit
    time.sleep(1)
    stack.services["triage"].start()
    feeder.join(timeout=120)
    eventually(lambda: len(case_report_ids(stack)) >= 5000, timeout=180, interval=1, what="all 5000 cases")
    time.sleep(3)  # room for a wrong extra case to appear
    stored = case_report_ids(stack)
    assert len(stored) == 5000
    assert set(stored) == {str(e.report_id) for e in events}


def test_notify_killed_mid_stream_sends_every_email_with_at_most_one_duplicate_per_crash(stack):
    events = report_events(stack, 300)
    publish_reports(stack, events)
    eventually(lambda: len(stack.smtp.messages()) >= 30, timeout=60, what="notify to be mid-stream")
    stack.services["notify"].kill()
    time.sleep(1)
    stack.services["notify"].start()
    eventually(lambda: len({m["Subject"] for m in stack.smtp.messages()}) >= 300, timeout=120, interval=1, what="300 e-mails")
    time.sleep(3)
    subjects = collections.Counter(m["Subject"] for m in stack.smtp.messages())
    duplicates = sum(count - 1 for count in subjects.values())
    assert len(subjects) == 300 and duplicates <= 1, subjects.most_common(3)
