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
