"""The backup command's settings (BACKUP_*): which database servers to read, and the backup key pair's halves.

Secrets come from the environment or from files in MELDESTELLE_SECRETS_DIR, like the services':
`backup_public_key` (enough to create backups), `backup_private_key` (only to verify and restore;
kept offline), and per source `<service>_mongodb_password`.
"""

import os
from typing import Self

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo import MongoClient

from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.settings import secrets_dir


class Source(BaseModel):
    """One service's database server, and the database it names; its `<database>_*` companions come along."""

    service: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="The service whose data it is (intake, triage, notify).")
    uri: str = Field(description="Connection string of the service's database server, without password.")
    database: str = Field(description="The service's database (its setting INTAKE_DATABASE, TRIAGE_DATABASE, NOTIFY_DATABASE).")
    username: str = Field(default="", description="User to log in as; its password is the secret `<service>_mongodb_password`.")
    auth_source: str = "admin"

    def password(self) -> str:
        """The source's password: BACKUP_<SERVICE>_MONGODB_PASSWORD, else the secret file `<service>_mongodb_password`."""
        name = f"{self.service}_mongodb_password"
        if value := os.environ.get(f"BACKUP_{name.upper().replace('-', '_')}"):
            return value
        folder = secrets_dir()
        if folder and (folder / name).is_file():
            return (folder / name).read_text().strip()
        raise BackupError(f"no password for {self.service}'s database user {self.username!r}: set the secret {name}")

    def client(self, timeout_ms: int) -> MongoClient:
        """A synchronous client for this server, logged in as the source's user if it names one."""
        credentials = {}
        if self.username:
            credentials = {
                "username": self.username,
                "password": self.password(),
                "authSource": self.auth_source,
                "authMechanism": "SCRAM-SHA-256",
            }
        return MongoClient(
            self.uri, **credentials, appname="backup", tz_aware=True, serverSelectionTimeoutMS=timeout_ms, socketTimeoutMS=600_000
        )

    def owns(self, database: str) -> bool:
        """Whether a database on this server belongs to this source: its database or a `<database>_` companion."""
        return database == self.database or database.startswith(f"{self.database}_")


def _local_sources() -> list[Source]:
    # The local stack's servers and the services' default database names (services/*/settings.py).
    return [
        Source(service="intake", uri="mongodb://127.0.0.1:27017/", database="intake", username="intake"),
        Source(service="triage", uri="mongodb://127.0.0.1:27018/", database="triage", username="triage"),
        Source(service="notify", uri="mongodb://127.0.0.1:27019/", database="notify", username="notify"),
    ]


class BackupSettings(BaseSettings):
    """Everything the backup command reads from its environment (BACKUP_*)."""

    model_config = SettingsConfigDict(env_prefix="BACKUP_")

    sources: list[Source] = Field(default_factory=_local_sources, description="JSON list of sources; default: the local stack's.")
    public_key: str = Field(default="", description="Backup public key (base64); archives are encrypted to it.")
    private_key: SecretStr = Field(default=SecretStr(""), description="Backup private key (base64); only verify and restore need it.")
    timeout_ms: int = Field(default=10_000, ge=100, description="Server selection timeout.")
    batch_size: int = Field(default=1000, ge=1, le=100_000, description="Documents per insert on restore.")

    @classmethod
    def from_environment(cls) -> Self:
        """Read BACKUP_* from the environment and the keys from the secrets folder."""
        return cls(_secrets_dir=secrets_dir())
