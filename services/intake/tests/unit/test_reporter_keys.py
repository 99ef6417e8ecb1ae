"""The reporter's private key opens only with the receipt it was sealed under."""

import pytest

from intake.followup.keys import KeyDerivation, WrongReceiptKey
from meldestelle_shared.sealing import load_public_key, seal, unseal

DERIVATION = KeyDerivation(time_cost=1, memory_kib=8192)


def test_messages_sealed_to_the_public_key_open_with_the_receipt():
    keys = DERIVATION.create("1234 5678 9012 3456")
    sealed = seal(load_public_key(keys.public_key), "Können Sie uns sagen, wann es war?")
    private = DERIVATION.open("1234-5678-9012-3456", keys)
    assert unseal(private, sealed) == "Können Sie uns sagen, wann es war?"


def test_another_receipt_opens_nothing_and_nothing_reveals_the_key():
    keys = DERIVATION.create("1234 5678 9012 3456")
    with pytest.raises(WrongReceiptKey):
        DERIVATION.open("1234 5678 9012 3457", keys)
    again = DERIVATION.create("1234 5678 9012 3456")
    assert again.key_salt != keys.key_salt and again.sealed_private_key != keys.sealed_private_key
