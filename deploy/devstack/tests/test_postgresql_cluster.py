"""The PostgreSQL cluster under FerretDB: `make up`'s is kept across restarts, reachable only through a private socket."""

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from devstack.database import MongoServer
from devstack.postgresql import ROOT_FALLBACK, SUPERUSER, PostgresCluster, kept_cluster_folder, postgresql_bin
from devstack.processes import free_port

pytestmark = pytest.mark.skipif(shutil.which("mongod") is not None, reason="mongod on PATH: FerretDB and PostgreSQL are not used")


@pytest.fixture
def stack_root():
    """A stack folder the postgres user can reach (a pytest temporary folder is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="pg-kept-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_kept_cluster_keeps_its_data_across_restarts(stack_root):
    password = "owner-password"
    for attempt in ("write", "read"):
        cluster = PostgresCluster(kept_cluster_folder(stack_root))
        server = MongoServer(stack_root / "database" / "triage", free_port(), username="triage", password=password, backend="postgresql",
                             cluster=cluster, postgresql_database="triage")  # fmt: skip
        server.start()
        try:
            server.wait_ready(timeout=60)
            with MongoClient(server.authenticated_uri, serverSelectionTimeoutMS=20_000) as client:
                cases = client["triage"]["cases"]
                if attempt == "write":
                    cases.insert_one({"_id": "kept-7f3a9c", "status": "new"})
                    with pytest.raises(DuplicateKeyError):
                        cases.insert_one({"_id": "kept-7f3a9c", "status": "new"})
                else:
                    assert cases.find_one({"_id": "kept-7f3a9c"}) == {"_id": "kept-7f3a9c", "status": "new"}
            assert stat.S_IMODE(cluster.socket_dir.stat().st_mode) == 0o700
            listen = subprocess.run(
                [str(postgresql_bin() / "psql"), "-X", "-tA", "-h", str(cluster.socket_dir), "-U", SUPERUSER, "-d", "triage", "-c", "SHOW listen_addresses"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            assert listen == ""  # no TCP listener
        finally:
            server.stop()
            cluster.stop()
    assert cluster.pgdata == stack_root / "postgresql" / "data"
    assert "kept-7f3a9c" not in cluster.log_path.read_text()  # a duplicate key's error does not quote the value
    assert not cluster.socket_dir.exists()
    if os.geteuid() == 0:
        assert cluster.pgdata.stat().st_uid != 0  # the postgres user's, as PostgreSQL refuses to run as root


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the cluster as another user")
def test_root_keeps_the_cluster_elsewhere_when_postgres_cannot_reach_the_stack_folder(stack_root):
    assert kept_cluster_folder(stack_root / "var") == stack_root / "var" / "postgresql"
    stack_root.chmod(0o700)
    assert kept_cluster_folder(stack_root / "var").parent == ROOT_FALLBACK
