import pytest

from devstack.processes import free_port
from meldestelle_shared.settings import MetricsSettings, MongoSettings
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
        kafka=infrastructure.kafka.access("notify").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("notify")),
        metrics=MetricsSettings(port=free_port()),
    )
