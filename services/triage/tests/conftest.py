import pytest

from meldestelle_shared.sealing import generate_key_pair
from meldestelle_shared.settings import KafkaSettings, MongoSettings
from triage.settings import Settings


@pytest.fixture(scope="session")
def office_keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture
def triage_settings(infrastructure, topics, unique_name, office_keys) -> Settings:
    """triage configured for this test's own topics and database."""
    return Settings(
        office_private_key=office_keys[0],
        api_token="integration-test-token-" + "x" * 20,
        database=unique_name,
        consumer_group=f"{unique_name}-triage",
        kafka=KafkaSettings(bootstrap_servers=infrastructure.kafka.bootstrap_servers, topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.mongodb_uri),
    )
