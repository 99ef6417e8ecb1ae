import pytest

from devstack.processes import free_port
from meldestelle_shared.settings import MetricsSettings, MongoSettings
from notify.settings import Settings, SmtpSettings


@pytest.fixture
def notify_settings(infrastructure, topics, unique_name) -> Settings:
    """notify configured for this test's own topics and database, mailing the session's SMTP sink."""
    return Settings(
        smtp=SmtpSettings(host="127.0.0.1", port=infrastructure.smtp.port, starttls=False, timeout=2.0),  # the sink speaks plain SMTP on loopback
        office_address=f"{unique_name}@office.test",
        database=unique_name,
        consumer_group=f"{unique_name}-notify",
        kafka=infrastructure.kafka.access("notify").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("notify")),
        metrics=MetricsSettings(port=free_port()),
    )
