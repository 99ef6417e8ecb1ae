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


def test_sealed_values_name_their_key_and_old_values_without_id_still_open():
    import base64

    from nacl.public import SealedBox

    from meldestelle_shared.sealing import key_id, sealed_key_id

    private, public = generate_key_pair()
    sealed = seal(load_public_key(public), "Text")
    assert sealed_key_id(sealed) == key_id(load_public_key(public)) == key_id(load_private_key(private))
    legacy = base64.b64encode(SealedBox(load_public_key(public)).encrypt(b"Alt")).decode()  # as sealed before key ids
    assert sealed_key_id(legacy) is None and unseal(load_private_key(private), legacy) == "Alt"


def test_a_keyring_opens_current_and_retired_values_and_reseals_to_the_current_key():
    from meldestelle_shared.sealing import Keyring, load_keyring

    old_private, old_public = generate_key_pair()
    new_private, new_public = generate_key_pair()
    before = seal(load_public_key(old_public), "vor der Rotation")
    ring = load_keyring(new_private, old_private)
    after = seal(ring.public_key, "nach der Rotation")
    assert ring.open(before) == "vor der Rotation" and ring.open(after) == "nach der Rotation"
    assert not ring.is_current(before) and ring.is_current(after)
    resealed = ring.reseal(before)
    assert ring.is_current(resealed) and unseal(load_private_key(new_private), resealed) == "vor der Rotation"
    with pytest.raises(SealingError):
        unseal(load_private_key(old_private), resealed)  # a retired key no longer opens what was re-sealed
    with pytest.raises(SealingError):
        Keyring(load_private_key(new_private)).open(before)  # once the retired key is dropped, its values are gone


def test_sealed_files_open_with_their_key_or_ring_and_refuse_damage():
    from meldestelle_shared.sealing import load_keyring, seal_bytes, unseal_bytes

    old_private, old_public = generate_key_pair()
    new_private, _ = generate_key_pair()
    photo = bytes(range(256)) * 40
    sealed = seal_bytes(load_public_key(old_public), photo)
    assert photo[:64] not in sealed
    assert unseal_bytes(load_private_key(old_private), sealed) == photo
    assert unseal_bytes(load_keyring(new_private, old_private), sealed) == photo
    for broken in (sealed[:-1], b"MSEAL1:" + sealed[7:23], b"PNG" + sealed):
        with pytest.raises(SealingError):
            unseal_bytes(load_private_key(old_private), broken)
    with pytest.raises(SealingError):
        unseal_bytes(load_keyring(new_private), sealed)  # its key is not in the ring
