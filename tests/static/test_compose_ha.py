"""Static checks of docker-compose.ha.yml as compose merges it over docker-compose.yml: three Kafka brokers
(replication 3, min.insync.replicas 2), a MongoDB replica set of three, and services that know every member."""

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FILES = ["-f", "docker-compose.yml", "-f", "docker-compose.ha.yml"]
APP_SERVICES = ("intake", "triage", "notify")
BROKERS = ("kafka", "kafka-2", "kafka-3")
MEMBERS = ("mongodb", "mongodb-2", "mongodb-3")


def compose(*arguments: str) -> subprocess.CompletedProcess:
    """Run docker-compose over both files."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run `deploy/bootstrap.sh test` or `apt-get install docker-compose`")
    return subprocess.run([binary, *FILES, *arguments], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    """The merged services, exactly as compose would run them."""
    result = compose("config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def script(service: dict) -> str:
    """A service's shell command as one text."""
    return "\n".join(service["command"])


def broker_properties(broker: dict) -> dict[str, str]:
    """The server.properties a broker writes, its NODE_ID and NODE_HOST filled in."""
    text = script(broker)
    body = text[text.index("<<PROPERTIES\n") + len("<<PROPERTIES\n") : text.index("\nPROPERTIES\n")]
    environment = broker["environment"]
    body = body.replace("$$NODE_ID", environment["NODE_ID"]).replace("$$NODE_HOST", environment["NODE_HOST"])
    return dict(line.split("=", 1) for line in body.splitlines())


def test_docker_compose_accepts_the_ha_override() -> None:
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_three_brokers_form_one_quorum_each_advertising_itself(services) -> None:
    """Node ids 1-3, the same three voters everywhere, each broker reached under its own service name."""
    properties = {name: broker_properties(services[name]) for name in BROKERS}
    assert sorted(p["node.id"] for p in properties.values()) == ["1", "2", "3"]
    voters = {p["controller.quorum.voters"] for p in properties.values()}
    assert voters == {",".join(f"{p['node.id']}@{name}:9093" for name, p in sorted(properties.items(), key=lambda item: item[1]["node.id"]))}
    for name, p in properties.items():
        assert p["advertised.listeners"] == f"CLIENTS://{name}:9092"
        assert p["process.roles"] == "broker,controller"


@pytest.mark.parametrize("name", BROKERS)
def test_every_broker_keeps_two_copies_before_acknowledging(services, name: str) -> None:
    """Replication 3 and min.insync.replicas 2 for topics and Kafka's own; no unclean leader election."""
    p = broker_properties(services[name])
    assert p["default.replication.factor"] == "3" and p["min.insync.replicas"] == "2"
    assert p["offsets.topic.replication.factor"] == "3"
    assert p["transaction.state.log.replication.factor"] == "3" and p["transaction.state.log.min.isr"] == "2"
    assert p["share.coordinator.state.topic.replication.factor"] == "3" and p["share.coordinator.state.topic.min.isr"] == "2"
    assert p["unclean.leader.election.enable"] == "false" and p["auto.create.topics.enable"] == "false"


@pytest.mark.parametrize("name", BROKERS)
def test_brokers_and_their_quorum_authenticate_everyone(services, name: str) -> None:
    """Clients with SCRAM, controllers with a password on a network of the brokers alone; no anonymous super user."""
    p = broker_properties(services[name])
    assert p["listener.security.protocol.map"] == "CLIENTS:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
    assert p["sasl.mechanism.controller.protocol"] == "PLAIN" and p["listener.name.controller.sasl.enabled.mechanisms"] == "PLAIN"
    assert p["super.users"] == "User:admin" and p["allow.everyone.if.no.acl.found"] == "false"
    assert p["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert "kafka-quorum" in services[name]["networks"]
    quorum = [other for other, service in services.items() if "kafka-quorum" in service.get("networks", {})]
    assert sorted(quorum) == sorted(BROKERS)
    volumes = " ".join(services[name]["volumes"])
    assert "kafka-secrets:/secrets:ro" in volumes and not any(f"{service}-secrets" in volumes for service in APP_SERVICES)


def test_brokers_keep_their_data_apart(services) -> None:
    data = [next(volume for volume in services[name]["volumes"] if volume.split(":")[1] == "/var/lib/kafka/data") for name in BROKERS]
    assert len({volume.split(":")[0] for volume in data}) == 3


def test_topics_are_created_with_three_replicas_and_two_in_sync(services) -> None:
    """kafka-init reads its replication from the environment: 3 and 2 here, over every broker (1 and 1 in the base file)."""
    init = services["kafka-init"]
    assert init["environment"] == {"BOOTSTRAP": "kafka:9092,kafka-2:9092,kafka-3:9092", "REPLICATION_FACTOR": "3", "MIN_INSYNC_REPLICAS": "2"}
    text = script(init)
    assert '--replication-factor "$$REPLICATION_FACTOR" --config "min.insync.replicas=$$MIN_INSYNC_REPLICAS"' in text
    assert text.count('--bootstrap-server "$$BOOTSTRAP"') == 2 and "kafka:9092" not in text
    base = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["kafka-init"]["environment"]
    assert base == {"BOOTSTRAP": "kafka:9092", "REPLICATION_FACTOR": "1", "MIN_INSYNC_REPLICAS": "1"}
    for name in BROKERS:
        assert init["depends_on"][name] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", MEMBERS)
def test_each_member_runs_in_the_replica_set_with_the_keyfile(services, name: str) -> None:
    """mongod with --replSet and --keyFile (members authenticate each other, clients must log in); no image init."""
    member = services[name]
    assert member["command"] == ["mongod", "--replSet", "meldestelle", "--keyFile", "/keyfile/keyfile", "--bind_ip_all"]
    assert "mongodb-keyfile:/keyfile:ro" in member["volumes"]
    assert not member["environment"].get("MONGO_INITDB_ROOT_USERNAME")
    assert member["depends_on"]["mongodb-keyfile"] == {"condition": "service_completed_successfully"}


def test_the_keyfile_is_readable_by_mongod_alone(services) -> None:
    text = script(services["mongodb-keyfile"])
    assert "chown 999:999 /keyfile/keyfile" in text and "chmod 400 /keyfile/keyfile" in text
    assert services["mongodb-keyfile"]["network_mode"] == "none"


def initiated_members(services) -> tuple[str, list[str]]:
    """The set's name and member hosts as mongodb-init's rs.initiate names them."""
    text = script(services["mongodb-init"])
    [name] = re.findall(r'rs\.initiate\(\{_id: "([^"]+)"', text)
    return name, re.findall(r'host: "([^"]+)"', text)


def test_mongodb_init_initiates_all_three_members_and_creates_the_users(services) -> None:
    """rs.initiate over localhost (the first member's network namespace), then root, then each service's user."""
    init = services["mongodb-init"]
    name, hosts = initiated_members(services)
    assert name == "meldestelle" and hosts == [f"{member}:27017" for member in MEMBERS]
    assert init["network_mode"] == "service:mongodb"
    text = script(init)
    assert text.index("rs.initiate") < text.index('createUser({user: "root"') < text.index("create-service-users.js")
    assert " -p " not in text and "--password" not in text  # the root password never on a command line
    assert "./deploy/mongodb/create-service-users.js" in " ".join(init["volumes"]) or any(
        volume.endswith("create-service-users.js:/docker-entrypoint-initdb.d/create-service-users.js:ro") for volume in init["volumes"]
    )
    for member in MEMBERS:
        assert init["depends_on"][member] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_services_know_every_member_of_both_clusters(services, service: str) -> None:
    """The connection strings list all brokers and all replica set members (and the set's name), and the service
    starts only once every broker is healthy and the set has its users."""
    environment = services[service]["environment"]
    brokers = [address.split(":")[0] for address in environment["KAFKA_BOOTSTRAP_SERVERS"].split(",")]
    assert sorted(brokers) == sorted(BROKERS)
    uri = urlsplit(environment["MONGODB_URI"])
    assert sorted(host.split(":")[0] for host in uri.netloc.split(",")) == sorted(MEMBERS)
    assert parse_qs(uri.query)["replicaSet"] == [initiated_members(services)[0]]
    assert "@" not in uri.netloc  # credentials come from the service's own secret files
    dependencies = services[service]["depends_on"]
    assert all(dependencies[name] == {"condition": "service_healthy"} for name in BROKERS)
    assert dependencies["mongodb-init"] == {"condition": "service_completed_successfully"}


def test_every_ha_service_names_its_networks_and_keeps_intake_apart(services) -> None:
    """No service on compose's default network; intake still shares networks only with Kafka and the database."""
    for name, service in services.items():
        assert service.get("networks") or service.get("network_mode") in ("none", "service:mongodb"), name
    servers = set(BROKERS) | set(MEMBERS)
    for network in services["intake"]["networks"]:
        members = {name for name, service in services.items() if network in service.get("networks", {})}
        assert members - {"intake"} <= servers, f"{network}: {members}"


def test_every_long_running_ha_service_has_a_healthcheck(services) -> None:
    one_shot = {"keygen", "kafka-init", "mongodb-keyfile", "mongodb-init"}
    for name in set(services) - one_shot:
        assert services[name].get("healthcheck", {}).get("test"), name
    for name in set(services):
        depends_on = services[name].get("depends_on", {})
        assert all("condition" in rule for rule in depends_on.values()), name
