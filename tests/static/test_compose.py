"""Static checks of docker-compose.yml and the one service Dockerfile; no Docker engine needed."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from triage.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("intake", "triage", "notify")
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]


def raw_instructions() -> list[str]:
    """The Dockerfile as one string per instruction, comments dropped, continuations joined."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return [line.strip() for line in code.replace("\\\n", " ").splitlines() if line.strip()]


def dockerfile_instructions(name: str) -> list[str]:
    """The Dockerfile as compose builds it for service `name`: its build args (SERVICE, PORT) filled in."""
    args = SERVICES[name]["build"]["args"]
    fill = lambda match: str(args.get(match[1] or match[2], match[0]))  # noqa: E731
    return [re.sub(r"\$\{(\w+)\}|\$(\w+)", fill, line) for line in raw_instructions()]


def container_port(name: str) -> str:
    """The port service `name` listens on, as compose's readiness check asks it (and any published port targets it)."""
    [port] = re.findall(r"127\.0\.0\.1:(\d+)/readyz", " ".join(SERVICES[name]["healthcheck"]["test"]))
    assert all(str(published).split(":")[-1] == port for published in SERVICES[name].get("ports", [])), name
    return port


def one_shot_services() -> set[str]:
    """Services that others wait on to finish (kafka-init, keygen) rather than to be healthy."""
    return {
        dependency
        for service in SERVICES.values()
        if isinstance(service.get("depends_on"), dict)
        for dependency, rule in service["depends_on"].items()
        if rule.get("condition") == "service_completed_successfully"
    }


def test_docker_compose_accepts_the_file() -> None:
    """`docker-compose config -q` validates the file."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run `deploy/bootstrap.sh test` or `apt-get install docker-compose`")
    command = [binary, "-f", "docker-compose.yml", "config", "-q"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_dependencies_wait_for_a_condition(name: str) -> None:
    """depends_on names a condition for every dependency, not just a start order."""
    depends_on = SERVICES[name].get("depends_on", {})
    assert isinstance(depends_on, dict), f"{name}: depends_on must be a mapping with conditions"
    assert all("condition" in rule for rule in depends_on.values()), f"{name}: a dependency lacks a condition"


@pytest.mark.parametrize("name", sorted(set(SERVICES) - one_shot_services()))
def test_long_running_services_have_a_healthcheck(name: str) -> None:
    """Every service that keeps running has a health check."""
    assert SERVICES[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_ports_are_published_on_localhost_only(name: str) -> None:
    """Published ports are bound to 127.0.0.1, never to every interface."""
    for port in SERVICES[name].get("ports", []):
        host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
        assert host_ip == "127.0.0.1", f"{name}: {port} is not bound to 127.0.0.1"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_from_the_one_dockerfile_with_their_name_and_port(name: str) -> None:
    """intake, triage and notify build from the root Dockerfile, from the repository root, as themselves on their published port."""
    build = SERVICES[name]["build"]
    assert build == {"context": ".", "dockerfile": "Dockerfile", "args": {"SERVICE": name, "PORT": container_port(name)}}
    assert f"EXPOSE {container_port(name)}" in dockerfile_instructions(name)
    assert not list(ROOT.glob("services/*/Dockerfile")), "one Dockerfile for all services, not one each"


def test_runtime_variables_are_read_where_docker_does_not_expand_them() -> None:
    """An exec-form CMD or HEALTHCHECK expands no variables: they must come from the image's ENV, read by a shell or the program."""
    raw = raw_instructions()
    runtime_stage = raw[max(i for i, line in enumerate(raw) if line.startswith("FROM ")) :]
    env = " ".join(line for line in runtime_stage if line.startswith("ENV "))
    assert "SERVICE=${SERVICE}" in env and "PORT=${PORT}" in env
    for line in runtime_stage:
        if line.startswith(("CMD [", "HEALTHCHECK ")):
            assert "$" not in line, line


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_image_runs_and_checks_its_own_service(name: str) -> None:
    """The command starts the service's own app on its port; the health check asks that port's /healthz."""
    argv = uvicorn_command(name)
    assert argv[:2] == ["uvicorn", f"{name}.app:create_app"] and argv[argv.index("--port") + 1] == container_port(name)
    assert f"PORT={container_port(name)}" in dockerfile_env(name).split()
    [healthcheck] = [line for line in dockerfile_instructions(name) if line.startswith("HEALTHCHECK ")]
    assert "http://127.0.0.1:{os.environ['PORT']}/healthz" in healthcheck


@pytest.mark.parametrize("name", APP_SERVICES)
def test_dockerfile_has_healthcheck_and_non_root_user(name: str) -> None:
    """The image of each service declares a HEALTHCHECK and runs as a non-root user."""
    instructions = dockerfile_instructions(name)
    assert any(line.startswith("HEALTHCHECK ") for line in instructions), f"{name}: no HEALTHCHECK"
    users = [line.split()[1].split(":")[0] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), f"{name}: the final USER must not be root"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_dockerfile_syncs_its_own_package(name: str) -> None:
    """Every `uv sync` of the image of <name> installs meldestelle-<name>, frozen, without dev dependencies."""
    syncs = [line for line in dockerfile_instructions(name) if "uv sync" in line]
    assert syncs, f"{name}: no uv sync"
    for sync in syncs:
        assert f"--package meldestelle-{name} " in f"{sync} " and "--frozen" in sync and "--no-dev" in sync, sync


def test_only_triage_can_read_the_key_that_opens_reports():
    """The public-facing intake must never mount triage's secrets."""
    readers = {name for name, service in COMPOSE["services"].items() if any("triage-secrets" in str(v) for v in service.get("volumes", []))}
    assert readers == {"triage", "keygen"}


def uvicorn_command(name: str) -> list[str]:
    """The CMD the image runs for service `name` as its argument list (a shell form's preamble up to `exec` dropped)."""
    [cmd] = [line for line in dockerfile_instructions(name) if line.startswith("CMD ")]
    cmd = cmd.removeprefix("CMD ")
    return yaml.safe_load(cmd) if cmd.startswith("[") else shlex.split(cmd.rpartition("exec ")[2])


def test_intake_runs_a_worker_per_core_with_shared_metrics():
    """Argon2id is CPU-bound: intake's image runs WORKERS uvicorn workers (auto: one per core), metrics in multiprocess mode."""
    assert str(SERVICES["intake"]["environment"]["WORKERS"]) == "${INTAKE_WORKERS:-auto}"
    argv = uvicorn_command("intake")
    assert argv[argv.index("--workers") + 1] == "$workers"
    [cmd] = [line for line in dockerfile_instructions("intake") if line.startswith("CMD ")]
    assert '[ "$workers" = auto ] && workers="$(nproc)"' in cmd and "export PROMETHEUS_MULTIPROC_DIR=" in cmd


def dockerfile_env(name: str) -> str:
    """Every ENV instruction of the Dockerfile as built for service `name`, joined."""
    return " ".join(line for line in dockerfile_instructions(name) if line.startswith("ENV "))


@pytest.mark.parametrize("name", APP_SERVICES)
def test_uvicorn_runs_without_websockets_or_access_log_everywhere(name: str, tmp_path: Path) -> None:
    """Both would write client addresses: the Dockerfile's and devstack's command lines turn them off."""
    from devstack.stack import LocalStack

    devstack = LocalStack(tmp_path, mongodb_uri="mongodb://127.0.0.1:1/").services[name].argv
    for argv in (uvicorn_command(name), devstack):
        assert "--no-access-log" in argv and argv[argv.index("--ws") + 1] == "none", argv
        assert "*" not in argv  # never trust every peer's forwarded headers


@pytest.mark.parametrize("name", APP_SERVICES)
def test_metrics_have_a_port_of_their_own_that_is_never_published(name: str) -> None:
    """/metrics shows when reports arrive and the office works: served on METRICS_PORT, off the published ports."""
    assert "METRICS_PORT=9100" in dockerfile_env(name)
    published = [str(port) for port in SERVICES[name].get("ports", [])]
    assert not any("9100" in port for port in published), published
    targets = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    assert {"job_name": name, "static_configs": [{"targets": [f"{name}:9100"]}]} in targets


@pytest.mark.parametrize("name", ["intake", "triage"])
def test_public_services_believe_forwarded_headers_only_from_the_proxy(name: str) -> None:
    """FORWARDED_ALLOW_IPS names the reverse proxy; "*" would let any client choose its address."""
    trusted = str(SERVICES[name]["environment"]["FORWARDED_ALLOW_IPS"])
    assert trusted and "*" not in trusted
    assert "FORWARDED_ALLOW_IPS=127.0.0.1" in dockerfile_env(name)  # the image alone trusts no one else


def test_compose_runs_the_secure_defaults() -> None:
    """HSTS and Secure __Host- cookies behind the TLS proxy, and SMTP with STARTTLS."""
    assert SERVICES["intake"]["environment"]["INTAKE_HTTPS_ONLY"] == "true"
    assert SERVICES["triage"]["environment"]["TRIAGE_HTTPS_ONLY"] == "true"
    assert SERVICES["notify"]["environment"]["NOTIFY_SMTP_STARTTLS"] == "true"
    assert SERVICES["mailpit"]["environment"]["MP_SMTP_REQUIRE_STARTTLS"] == "true"


def networks_of(name: str) -> set[str]:
    """The compose networks a service joins."""
    networks = SERVICES[name].get("networks", [])
    return set(networks if isinstance(networks, list) else networks.keys())


def members(network: str) -> set[str]:
    """The services on a network."""
    return {name for name in SERVICES if network in networks_of(name)}


def test_intake_shares_networks_only_with_kafka_and_the_database():
    """A compromised intake must not reach triage's workbench, notify or the mail relay over the network."""
    assert networks_of("intake"), "intake must name its networks, not join the default one"
    for network in networks_of("intake"):
        assert members(network) - {"intake"} <= {"kafka", "mongodb"}, f"{network}: {members(network)}"
    assert members("public") == {"intake"}
    assert COMPOSE["networks"]["intake-backend"].get("internal") is True


def test_triage_and_the_databases_are_on_the_office_network_only():
    """Triage, the database and Kafka sit on the office network; none of them faces the public one."""
    assert {"triage", "mongodb", "kafka", "notify"} <= members("office")
    assert networks_of("triage") == {"office"} and "public" not in networks_of("mongodb") | networks_of("kafka")


def test_every_service_names_its_networks():
    """No service silently joins compose's default network, which every other service would share."""
    for name, service in SERVICES.items():
        assert service.get("networks") or service.get("network_mode") == "none", f"{name} is on the default network"


def test_notify_has_no_inbound_ports():
    assert "ports" not in SERVICES["notify"]


def test_kafka_clients_authenticate_and_acls_deny_by_default():
    """Clients reach Kafka only through SASL/SCRAM; the controller listener is bound to the container's loopback."""
    script = "\n".join(SERVICES["kafka"]["command"])
    assert "listener.security.protocol.map=CLIENTS:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT" in script
    assert "listeners=CLIENTS://:9092,CONTROLLER://127.0.0.1:9093" in script
    assert "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" in script
    assert "allow.everyone.if.no.acl.found=false" in script
    assert "--add-scram \"SCRAM-SHA-256=[name=$$service,password=$$(secret $${service}_password)]\"" in script
    for service in APP_SERVICES:
        assert SERVICES[service]["environment"]["KAFKA_USERNAME"] == service


def test_kafka_init_grants_exactly_the_devstack_acls():
    """The ACLs compose creates are the ones every test runs with (devstack.kafka_acls)."""
    from devstack.kafka_acls import service_acls
    from meldestelle_shared.topics import Topics

    script = "\n".join(SERVICES["kafka-init"]["command"])
    granted = set()
    for line in script.splitlines():
        words = line.split()
        if words[:1] == ["allow"]:
            principal, operation, kind, name = words[1], words[2].upper(), words[3].lstrip("-").upper(), words[4]
            assert (kind == "GROUP") == ("--resource-pattern-type prefixed" in line), line
            granted.add((principal, operation, kind, name))
    expected = {(acl.principal, acl.operation.name, acl.resource.name, acl.name) for acl in service_acls(Topics())}
    assert granted == expected


def test_each_service_has_its_own_database_user():
    """MongoDB runs with authentication; an init script creates one user per service, readWrite on its own databases only."""
    mongodb = SERVICES["mongodb"]
    assert mongodb["environment"]["MONGO_INITDB_ROOT_PASSWORD_FILE"].startswith("/secrets/")
    assert any("create-service-users.js:/docker-entrypoint-initdb.d/" in str(volume) for volume in mongodb["volumes"])
    script = (ROOT / "deploy" / "mongodb" / "create-service-users.js").read_text()
    assert 'roles: names.map((name) => ({ role: "readWrite", db: name }))' in script
    granted = {line.split(":")[0].strip(): line.split("[", 1)[1].split("]")[0] for line in script.splitlines() if line.strip().endswith("],")}
    for service in APP_SERVICES:
        assert SERVICES[service]["environment"]["MONGODB_USERNAME"] == service
        assert granted[service].split(", ")[0] == f'"{service}"'
    # triage's read models each have a database of their own (one SQLite file each on FerretDB): the user may use them all.
    names = DatabaseSettings(database="triage")
    expected = [names.database, names.statistics_database, names.duplicates_database, names.queue_database, names.evidence_safe_database]
    assert granted["triage"] == ", ".join(f'"{name}"' for name in expected)
    # The evidence store: triage finds and removes (erasure), never inserts or updates.
    assert 'actions: ["find", "remove"]' in script and f'db: "{names.evidence_database}"' in script


def test_evidence_database_intake_adds_and_deletes_and_never_changes():
    """Residents' sealed files: intake may find, insert and remove (never update) in intake_evidence; triage reads and erases."""
    script = (ROOT / "deploy" / "mongodb" / "create-service-users.js").read_text()
    assert SERVICES["intake"]["environment"]["INTAKE_EVIDENCE_DATABASE"] == "intake_evidence"
    assert 'const evidence = "intake_evidence";' in script
    assert 'actions: ["find", "insert", "remove"]' in script and '"update"' not in script
    assert 'intake: [{ role: "evidenceWriter", db: "admin" }], triage: [], notify: [] }' in script
    assert 'actions: ["find", "remove"]' in script  # triage's evidenceReadAndErase


def test_servers_never_mount_a_services_keys():
    """Kafka and MongoDB get the passwords they check from volumes of their own, not the services' key folders."""
    for name in ("kafka", "kafka-init", "mongodb"):
        volumes = " ".join(str(volume) for volume in SERVICES[name].get("volumes", []))
        assert not any(f"{service}-secrets" in volumes for service in APP_SERVICES), name
