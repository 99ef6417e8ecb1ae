import pytest

from meldestelle_shared.sealing import SealingError, generate_key_pair, load_private_key, load_public_key, seal, unseal


def test_sealed_text_opens_only_with_the_matching_key():
    private, public = generate_key_pair()
    other_private, _ = generate_key_pair()
    sealed = seal(load_public_key(public), "Mir wurde die Wohnung verweigert.")
    assert "Wohnung" not in sealed
    assert unseal(load_private_key(private), sealed) == "Mir wurde die Wohnung verweigert."
    with pytest.raises(SealingError):
        unseal(load_private_key(other_private), sealed)


def test_malformed_keys_are_refused():
    with pytest.raises(SealingError):
        load_public_key("not base64!")
