import pytest

from devstack.processes import free_port
from meldestelle_shared.settings import KafkaSettings, MetricsSettings, MongoSettings
from notify.settings import Settings


@pytest.fixture
def notify_settings(infrastructure, topics, unique_name) -> Settings:
    """notify configured for this test's own topics and database, mailing the session's SMTP sink."""
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=infrastructure.smtp.port,
        smtp_starttls=False,  # the sink speaks plain SMTP on loopback
        smtp_timeout=2.0,
        office_address=f"{unique_name}@office.test",
        database=unique_name,
        consumer_group=f"{unique_name}-notify",
        kafka=KafkaSettings(bootstrap_servers=infrastructure.kafka.bootstrap_servers, topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.mongodb_uri),
        metrics=MetricsSettings(port=free_port()),
    )
