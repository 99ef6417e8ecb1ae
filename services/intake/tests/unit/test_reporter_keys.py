"""The reporter's private key opens only with the key of the receipt it was sealed under."""

import pytest

from intake.followup.keys import WrongReceiptKey, create_reporter_keys, open_reporter_key
from intake.receipts import ReceiptHasher
from meldestelle_shared.sealing import load_public_key, seal, unseal

HASHER = ReceiptHasher("pepper-one-0123456789", time_cost=1, memory_kib=8192)


def test_messages_sealed_to_the_public_key_open_with_the_receipt():
    keys = create_reporter_keys(HASHER.derive("1234 5678 9012 3456").key)
    sealed = seal(load_public_key(keys.public_key), "Können Sie uns sagen, wann es war?")
    private = open_reporter_key(HASHER.derive("1234-5678-9012-3456").key, keys)
    assert unseal(private, sealed) == "Können Sie uns sagen, wann es war?"


def test_another_receipt_opens_nothing_and_nothing_reveals_the_key():
    keys = create_reporter_keys(HASHER.derive("1234 5678 9012 3456").key)
    with pytest.raises(WrongReceiptKey):
        open_reporter_key(HASHER.derive("1234 5678 9012 3457").key, keys)
    again = create_reporter_keys(HASHER.derive("1234 5678 9012 3456").key)
    assert again.public_key != keys.public_key and again.sealed_private_key != keys.sealed_private_key
