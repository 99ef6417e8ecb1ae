"""The FerretDB backend choice: SQLite unless MELDESTELLE_DATABASE_BACKEND names PostgreSQL."""

import pytest

from devstack.database import configured_backend


def test_sqlite_is_the_default(monkeypatch):
    monkeypatch.delenv("MELDESTELLE_DATABASE_BACKEND", raising=False)
    assert configured_backend() == "sqlite"


def test_postgresql_is_chosen_by_the_environment(monkeypatch):
    monkeypatch.setenv("MELDESTELLE_DATABASE_BACKEND", "postgresql")
    assert configured_backend() == "postgresql"


def test_an_unknown_backend_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("MELDESTELLE_DATABASE_BACKEND", "mysql")
    with pytest.raises(ValueError, match="MELDESTELLE_DATABASE_BACKEND.*'mysql'"):
        configured_backend()
