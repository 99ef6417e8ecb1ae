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


def test_hash_is_keyed_deterministic_and_ignores_formatting():
    hasher = ReceiptHasher("pepper-one-0123456789", time_cost=1, memory_kib=8192)
    other = ReceiptHasher("pepper-two-0123456789", time_cost=1, memory_kib=8192)
    digest = hasher.hash("1234 5678 9012 3456")
    assert digest == hasher.hash("1234567890123456")
    assert digest != other.hash("1234567890123456")
    assert "1234" not in digest and len(digest) == 64
