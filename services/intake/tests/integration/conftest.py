import pytest

from intake.settings import Settings
from meldestelle_shared.settings import MongoSettings


@pytest.fixture
def live_settings(intake_settings: Settings, infrastructure, topics, unique_name) -> Settings:
    """intake on this test's own topics, database and consumer group."""
    return intake_settings.model_copy(
        update={
            "kafka": infrastructure.kafka.access("intake").settings(topic_prefix=topics.prefix),
            "mongodb": MongoSettings(uri=infrastructure.database_uri("intake")),
            "database": unique_name,
            "consumer_group": f"{unique_name}-intake",
        }
    )
