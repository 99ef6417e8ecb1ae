import re

import pytest

from intake.receipts import MalformedReceipt, ReceiptHasher, new_receipt, normalise_receipt


def test_receipt_is_sixteen_digits_in_groups_of_four():
    receipts = {new_receipt() for _ in range(200)}
    assert all(re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", r) for r in receipts)
    assert len(receipts) == 200


@pytest.mark.parametrize("text", ["1234 5678 9012 3456", "1234-5678-9012-3456", "1234567890123456"])
def test_receipt_formatting_is_forgiving(text):
    assert normalise_receipt(text) == "1234567890123456"


@pytest.mark.parametrize("text", ["", "1234", "1234 5678 9012 345x", "１２３４５６７８９０１２３４５６", "12345678901234567"])
def test_malformed_receipts_are_refused(text):
    with pytest.raises(MalformedReceipt):
        normalise_receipt(text)


def test_secrets_are_keyed_deterministic_and_ignore_formatting():
    hasher = ReceiptHasher("pepper-one-0123456789", time_cost=1, memory_kib=8192)
    other = ReceiptHasher("pepper-two-0123456789", time_cost=1, memory_kib=8192)
    secrets = hasher.derive("1234 5678 9012 3456")
    assert secrets == hasher.derive("1234567890123456")
    assert secrets.lookup_hash != other.derive("1234567890123456").lookup_hash
    assert secrets.key != other.derive("1234567890123456").key
    assert "1234" not in secrets.lookup_hash and len(secrets.lookup_hash) == 64 and len(secrets.key) == 32


def test_the_lookup_hash_and_the_key_are_independent():
    secrets = ReceiptHasher("pepper-one-0123456789", time_cost=1, memory_kib=8192).derive("1234 5678 9012 3456")
    assert bytes.fromhex(secrets.lookup_hash) != secrets.key
    neighbour = ReceiptHasher("pepper-one-0123456789", time_cost=1, memory_kib=8192).derive("1234 5678 9012 3457")
    assert neighbour.lookup_hash != secrets.lookup_hash and neighbour.key != secrets.key


CHEAP = {"time_cost": 1, "memory_kib": 8192}
PEPPER_A, PEPPER_B, PEPPER_C = "pepper-aaaa-0123456789", "pepper-bbbb-0123456789", "pepper-cccc-0123456789"


def test_new_receipts_use_the_current_pepper_and_retired_ones_follow_in_their_order():
    rotated = ReceiptHasher(PEPPER_C, retired_peppers=[PEPPER_B, PEPPER_A, PEPPER_B], **CHEAP)
    ids = {pepper: ReceiptHasher(pepper, **CHEAP).pepper_id for pepper in (PEPPER_A, PEPPER_B, PEPPER_C)}
    assert rotated.pepper_id == ids[PEPPER_C]
    assert rotated.pepper_ids == [ids[PEPPER_C], ids[PEPPER_B], ids[PEPPER_A]]  # a repeated pepper is tried once
    assert rotated.derive("1234 5678 9012 3456") == ReceiptHasher(PEPPER_C, **CHEAP).derive("1234 5678 9012 3456")


def test_a_retired_pepper_yields_the_same_secrets_as_when_it_was_current():
    before = ReceiptHasher(PEPPER_A, **CHEAP).derive("1234 5678 9012 3456")
    after = ReceiptHasher(PEPPER_B, retired_peppers=[PEPPER_A], **CHEAP)
    assert after.derive("1234 5678 9012 3456", before.pepper_id) == before  # hash, reporter key and signing seed alike
    assert after.derive("1234 5678 9012 3456").lookup_hash != before.lookup_hash


def test_a_pepper_id_is_stable_short_distinct_and_reveals_no_pepper():
    first = ReceiptHasher(PEPPER_A, **CHEAP).pepper_id
    assert first == ReceiptHasher(PEPPER_A, retired_peppers=[PEPPER_B], time_cost=3, memory_kib=16384).pepper_id
    assert first == "b85b989b"  # recorded in stored inboxes: it must not change between releases
    assert first != ReceiptHasher(PEPPER_B, **CHEAP).pepper_id
    assert re.fullmatch(r"[0-9a-f]{8}", first) and first not in PEPPER_A
