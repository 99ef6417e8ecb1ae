import pytest

from intake.settings import Settings
from meldestelle_shared.sealing import generate_key_pair


@pytest.fixture(scope="session")
def office_keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture
def intake_settings(office_keys) -> Settings:
    """Settings with cheap hashing parameters for unit tests."""
    return Settings(
        office_public_key=office_keys[1],
        receipt_pepper="unit-test-pepper-0123456789",
        receipt_hash_memory_kib=8192,
        receipt_hash_time_cost=1,
    )
