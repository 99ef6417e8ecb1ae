"""The FerretDB backend choice: PostgreSQL unless MELDESTELLE_DATABASE_BACKEND names SQLite or a stack folder holds only SQLite data."""

import pytest

from devstack.database import configured_backend, legacy_sqlite_data


@pytest.fixture
def unset(monkeypatch):
    monkeypatch.delenv("MELDESTELLE_DATABASE_BACKEND", raising=False)


def sqlite_file(root, service="triage"):
    path = root / "database" / service / "db" / f"{service}.sqlite"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    return path


def test_postgresql_is_the_default(unset, tmp_path):
    assert configured_backend() == "postgresql"
    assert configured_backend(tmp_path) == "postgresql"


def test_sqlite_is_chosen_by_the_environment(monkeypatch):
    monkeypatch.setenv("MELDESTELLE_DATABASE_BACKEND", "sqlite")
    assert configured_backend() == "sqlite"


def test_a_stack_folder_with_sqlite_data_and_no_cluster_stays_on_sqlite(unset, tmp_path):
    stored = sqlite_file(tmp_path)
    assert legacy_sqlite_data(tmp_path) == [stored]
    assert configured_backend(tmp_path) == "sqlite"


def test_a_stack_folder_with_a_cluster_uses_postgresql(unset, tmp_path):
    sqlite_file(tmp_path)
    (tmp_path / "postgresql").mkdir()
    assert legacy_sqlite_data(tmp_path) == []
    assert configured_backend(tmp_path) == "postgresql"


def test_the_environment_wins_over_the_folder(monkeypatch, tmp_path):
    sqlite_file(tmp_path)
    monkeypatch.setenv("MELDESTELLE_DATABASE_BACKEND", "postgresql")
    assert configured_backend(tmp_path) == "postgresql"


def test_an_unknown_backend_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("MELDESTELLE_DATABASE_BACKEND", "mysql")
    with pytest.raises(ValueError, match="MELDESTELLE_DATABASE_BACKEND.*'mysql'"):
        configured_backend()
