"""The two factors: Argon2id passwords and TOTP codes within a small window (replays: see the integration tests)."""

import time

import pyotp

from triage.staff.factors import check_password_policy, hash_password, new_totp_secret, password_matches, totp_step


def test_password_hash_is_argon2id_and_verifies():
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert password_matches(hashed, "a long enough password")
    assert not password_matches(hashed, "a long enough passworD")
    assert not password_matches(None, "anything")  # an unknown account never matches


def test_password_policy():
    assert check_password_policy("short") is not None
    assert check_password_policy("twelve chars") is None


def test_totp_accepts_current_and_neighbouring_steps_only():
    secret, now = new_totp_secret(), time.time()
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    assert totp_step(secret, totp.at(now), now=now) == current
    assert totp_step(secret, totp.at(now - 30), now=now) == current - 1
    assert totp_step(secret, totp.at(now + 90), now=now) is None
    assert totp_step(secret, "12345x", now=now) is None
