"""The Helm chart (deploy/helm/meldestelle), checked offline: `helm lint`, every rendered object strictly
decoded against the Kubernetes API types (deploy/helm/validate), and what the objects promise.

helm and the validator are built from the Go module proxy into the cache on first use (devstack.kubetools);
that takes a few minutes once, hence the longer timeout.
"""

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic_settings import BaseSettings

from meldestelle_shared.keygen import ensure_secrets

pytestmark = pytest.mark.timeout(1800)

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "meldestelle"
EXAMPLES = sorted((ROOT / "deploy" / "helm" / "examples").glob("*-values.yaml"))
VALUE_SETS = {"default": [], **{path.stem: [path] for path in EXAMPLES}}
PORTS = {"intake": 8000, "triage": 8001, "notify": 8002}
OFFICE_CIDR = "10.20.0.0/16"  # what the example values name as the office network


@pytest.fixture(scope="module")
def tools() -> dict[str, Path]:
    """helm and the validator, built once into the cache."""
    from devstack.kubetools import ensure_helm, ensure_validator

    return {"helm": ensure_helm(), "validate": ensure_validator()}


@pytest.fixture(scope="module")
def helm(tools: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """Run helm with its home folders in a temporary place (it writes nothing under ~); return the completed process."""
    home = tmp_path_factory.mktemp("helm-home")
    env = {**os.environ, **{f"HELM_{part}_HOME": str(home / part.lower()) for part in ("CACHE", "CONFIG", "DATA")}}

    def run(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(tools["helm"]), *arguments], cwd=ROOT, env=env, capture_output=True, text=True)

    return run


@pytest.fixture(scope="module")
def rendered(helm) -> dict[str, str]:
    """The chart rendered with the default values and with each example values file."""
    documents = {}
    for name, files in VALUE_SETS.items():
        result = helm("template", "meldestelle", str(CHART), *(argument for path in files for argument in ("-f", str(path))))
        assert result.returncode == 0, f"{name}: {result.stderr}"
        documents[name] = result.stdout
    return documents


def validate(tools: dict[str, Path], manifest: str) -> subprocess.CompletedProcess:
    """Run the strict validator over a YAML stream."""
    return subprocess.run([str(tools["validate"])], input=manifest, capture_output=True, text=True)


def objects(manifest: str) -> list[dict]:
    """The objects of a rendered YAML stream."""
    return [document for document in yaml.safe_load_all(manifest) if document]


def find(manifest: str, kind: str, name: str) -> dict:
    """The one object of that kind and name."""
    [found] = [item for item in objects(manifest) if item["kind"] == kind and item["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("values", sorted(VALUE_SETS))
def test_helm_lint_accepts_the_chart(helm, values: str) -> None:
    """`helm lint --strict` (warnings fail too) with the default values and with each example."""
    files = [argument for path in VALUE_SETS[values] for argument in ("-f", str(path))]
    result = helm("lint", "--strict", str(CHART), *files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("values", sorted(VALUE_SETS))
def test_every_rendered_object_decodes_strictly_into_its_api_type(tools, rendered, values: str) -> None:
    """No unknown or misspelled field, no duplicate key, no wrong type, no unknown kind in anything the chart renders."""
    result = validate(tools, rendered[values])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{len(objects(rendered[values]))} objects valid"


def _add_unknown_container_field(item: dict) -> None:
    item["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {"httpGet": {"path": "/readyz"}}


def _misspell_a_field_by_case(item: dict) -> None:
    container = item["spec"]["template"]["spec"]["containers"][0]
    container["ImagePullPolicy"] = container.pop("imagePullPolicy")


def _give_a_wrong_type(item: dict) -> None:
    item["spec"]["replicas"] = "two"


def _give_a_bad_quantity(item: dict) -> None:
    item["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = "lots"


def _name_an_unknown_kind(item: dict) -> None:
    item["kind"] = "Deploymnet"


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        (_add_unknown_container_field, 'unknown field "spec.template.spec.containers[0].readinessProbes"'),
        (_misspell_a_field_by_case, "ImagePullPolicy"),
        (_give_a_wrong_type, "replicas"),
        (_give_a_bad_quantity, "quantities must match"),
        (_name_an_unknown_kind, "unknown apiVersion/kind"),
    ],
)
def test_the_validator_refuses_a_broken_object(tools, rendered, breakage, reason: str) -> None:
    """The check can fail: one broken Deployment among valid objects fails the whole stream, naming it and why."""
    items = objects(rendered["default"])
    triage = next(item for item in items if item["kind"] == "Deployment" and item["metadata"]["name"] == "meldestelle-triage")
    breakage(triage)
    result = validate(tools, yaml.safe_dump_all(items))
    assert result.returncode != 0
    assert "meldestelle-triage" in result.stderr and reason in result.stderr, result.stderr


def test_the_validator_refuses_a_duplicate_key(tools) -> None:
    """YAML that says a field twice (the second silently winning elsewhere) is refused."""
    manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: twice\n  name: again\n"
    result = validate(tools, manifest)
    assert result.returncode != 0 and "already set in map" in result.stderr, result.stderr


def deployments(manifest: str) -> dict[str, dict]:
    """Each service's Deployment, by service name."""
    return {item["metadata"]["labels"]["app.kubernetes.io/component"]: item for item in objects(manifest) if item["kind"] == "Deployment"}


@pytest.mark.parametrize("service", sorted(PORTS))
def test_each_service_runs_locked_down_with_probes_and_limits(rendered, service: str) -> None:
    """Non-root, read-only root filesystem (scratch /tmp in memory), no privilege escalation, no capabilities,
    seccomp RuntimeDefault; /healthz for liveness, /readyz for readiness, on the service's own port; requests and limits."""
    deployment = deployments(rendered["default"])[service]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]} and security["privileged"] is False
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}} in pod["volumes"]
    assert {"name": "http", "containerPort": PORTS[service], "protocol": "TCP"} in container["ports"]
    assert {"name": "metrics", "containerPort": 9100, "protocol": "TCP"} in container["ports"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["PORT"] == str(PORTS[service]) and env["METRICS_PORT"] == "9100" and env["METRICS_HOST"] == "0.0.0.0"
    assert set(container["resources"]) == {"requests", "limits"}
    assert set(container["resources"]["requests"]) == set(container["resources"]["limits"]) == {"cpu", "memory"}


@pytest.mark.parametrize("service", sorted(PORTS))
def test_each_service_mounts_only_its_own_secret_where_it_reads_secrets(rendered, service: str) -> None:
    """One Secret per service, laid out like MELDESTELLE_SECRETS_DIR (keygen's DIR/<service>), read-only: intake never gets triage's key."""
    pod = deployments(rendered["default"])[service]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    [mount] = [mount for mount in container["volumeMounts"] if mount["name"] == "secrets"]
    assert mount == {"name": "secrets", "mountPath": env["MELDESTELLE_SECRETS_DIR"], "readOnly": True}
    secrets = [volume["secret"] for volume in pod["volumes"] if "secret" in volume]
    assert secrets == [{"secretName": f"meldestelle-{service}", "defaultMode": 0o440}]


@pytest.mark.parametrize("service", sorted(PORTS))
def test_the_rendered_environment_is_what_the_service_reads(rendered, service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every variable the chart sets is a setting of the service (or the image's PORT/WORKERS, uvicorn's FORWARDED_ALLOW_IPS),
    and the service's settings accept them all, with its secrets read from a folder laid out like the mounted Secret."""
    settings_class = {"intake": "intake.settings", "triage": "triage.settings", "notify": "notify.settings"}[service]
    settings = __import__(settings_class, fromlist=["Settings"]).Settings
    [container] = deployments(rendered["strimzi-values"])[service]["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    outside_settings = {"MELDESTELLE_SECRETS_DIR", "PORT", "WORKERS", "FORWARDED_ALLOW_IPS"}
    unknown = set(env) - outside_settings - setting_names(settings)
    assert not unknown, f"{service} reads no {sorted(unknown)}"
    folder = ensure_secrets(tmp_path / "secrets") / service
    for name, value in {**env, "MELDESTELLE_SECRETS_DIR": str(folder)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TRIAGE_REFERRAL_DIRECTORY", raising=False)
    loaded = settings(_secrets_dir=folder)
    assert loaded.kafka.sasl_mechanism == "SCRAM-SHA-512" and loaded.kafka.client_options()["sasl_plain_username"] == service
    assert loaded.mongodb.uri == env["MONGODB_URI"] and loaded.mongodb.password.get_secret_value()


def setting_names(settings: type[BaseSettings], prefix: str | None = None) -> set[str]:
    """Every environment variable a settings class reads, nested settings (each with its own prefix) included."""
    prefix = settings.model_config.get("env_prefix", "") if prefix is None else prefix
    names = set()
    for name, field in settings.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings):
            names |= setting_names(field.annotation)
        elif isinstance(field.validation_alias, str):  # a standard variable's own name, e.g. OTEL_EXPORTER_OTLP_ENDPOINT
            names.add(field.validation_alias.upper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def test_intake_has_a_disruption_budget_and_a_cpu_autoscaler(rendered) -> None:
    """Drains keep one intake pod; the autoscaler (autoscaling/v2) owns the replica count."""
    manifest = rendered["default"]
    budget = find(manifest, "PodDisruptionBudget", "meldestelle-intake")
    autoscaler = find(manifest, "HorizontalPodAutoscaler", "meldestelle-intake")
    intake = deployments(manifest)["intake"]
    assert budget["apiVersion"] == "policy/v1" and budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"] == intake["spec"]["selector"]["matchLabels"]
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "meldestelle-intake"}
    assert autoscaler["spec"]["minReplicas"] >= 2 and "replicas" not in intake["spec"]


def ingress_rules_for(manifest: str, service: str) -> list[dict]:
    """The ingress rules of every NetworkPolicy that selects the service's pods."""
    labels = deployments(manifest)[service]["spec"]["template"]["metadata"]["labels"]
    rules = []
    for policy in (item for item in objects(manifest) if item["kind"] == "NetworkPolicy"):
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        if selector.items() <= labels.items() and "Ingress" in policy["spec"]["policyTypes"]:
            rules += policy["spec"].get("ingress", [])
    return rules


@pytest.mark.parametrize("values", sorted(VALUE_SETS))
def test_network_policies_deny_by_default_and_open_only_what_each_service_needs(rendered, values: str) -> None:
    """intake from the ingress controller, triage from the office network, notify from nobody, metrics from monitoring."""
    manifest = rendered[values]
    deny = find(manifest, "NetworkPolicy", "meldestelle-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    controller = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
    }
    office = [{"ipBlock": {"cidr": OFFICE_CIDR}}] if values != "default" else []
    expected = {
        "intake": [{"from": [monitoring], "ports": [{"port": "metrics", "protocol": "TCP"}]}, {"from": [controller], "ports": [{"port": "http", "protocol": "TCP"}]}],
        "triage": [{"from": [monitoring], "ports": [{"port": "metrics", "protocol": "TCP"}]}]
        + ([{"from": office, "ports": [{"port": "http", "protocol": "TCP"}]}] if office else []),
        "notify": [{"from": [monitoring], "ports": [{"port": "metrics", "protocol": "TCP"}]}],
    }
    for service, rules in expected.items():
        actual = ingress_rules_for(manifest, service)
        assert all(rule.get("from") and rule.get("ports") for rule in actual), f"{service}: a rule without peers or ports allows everyone"
        assert sorted(map(str, actual)) == sorted(map(str, rules)), service


def test_the_workbench_through_the_ingress_is_limited_to_the_office_network(helm) -> None:
    """With triage's Ingress on, ingress-nginx checks the office network too; without an office network it refuses to render."""
    result = helm("template", "meldestelle", str(CHART), "--set", "triage.ingress.enabled=true", "--set", f"triage.officeCidrs={{{OFFICE_CIDR}}}")
    assert result.returncode == 0, result.stderr
    ingress = find(result.stdout, "Ingress", "meldestelle-triage")
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/whitelist-source-range"] == OFFICE_CIDR
    assert ingress["spec"]["tls"] == [{"hosts": ["workbench.meldestelle.example.org"], "secretName": "meldestelle-triage-tls"}]
    refused = helm("template", "meldestelle", str(CHART), "--set", "triage.ingress.enabled=true")
    assert refused.returncode != 0 and "triage.officeCidrs" in refused.stderr


def test_strimzi_users_grant_exactly_the_devstack_acls() -> None:
    """The KafkaUser sketch grants what every test runs with (devstack.kafka_acls), with SCRAM-SHA-512 as the values say."""
    from devstack.kafka_acls import service_acls
    from meldestelle_shared.topics import Topics

    resources = [item for item in yaml.safe_load_all((ROOT / "deploy/helm/examples/strimzi-resources.yaml").read_text()) if item]
    granted = set()
    for user in (item for item in resources if item["kind"] == "KafkaUser"):
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        for acl in user["spec"]["authorization"]["acls"]:
            [operation] = acl["operations"]
            granted.add((user["metadata"]["name"], operation.upper(), acl["resource"]["type"].upper(), acl["resource"]["name"]))
    expected = {(acl.principal, acl.operation.name, acl.resource.name, acl.name) for acl in service_acls(Topics())}
    assert granted == expected
    topics = {item["metadata"]["name"]: item["spec"] for item in resources if item["kind"] == "KafkaTopic"}
    assert {name: spec["partitions"] for name, spec in topics.items()} == Topics().partitions()
    assert all(spec["replicas"] == 3 and spec["config"]["min.insync.replicas"] == 2 for spec in topics.values())


def test_the_referral_directory_is_mounted_for_triage_when_given(tools, helm) -> None:
    """`--set-file triage.referrals=...` renders a ConfigMap with the file, mounted where TRIAGE_REFERRAL_DIRECTORY points."""
    directory = ROOT / "deploy" / "referrals" / "services.json"
    result = helm("template", "meldestelle", str(CHART), "--set-file", f"triage.referrals={directory}")
    assert result.returncode == 0, result.stderr
    assert validate(tools, result.stdout).returncode == 0
    config_map = find(result.stdout, "ConfigMap", "meldestelle-referrals")
    assert config_map["data"]["services.json"].strip() == directory.read_text().strip()
    pod = deployments(result.stdout)["triage"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    [mount] = [mount for mount in container["volumeMounts"] if mount["name"] == "referrals"]
    assert env["TRIAGE_REFERRAL_DIRECTORY"] == f"{mount['mountPath']}/services.json" and mount["readOnly"] is True
    assert {"name": "referrals", "configMap": {"name": "meldestelle-referrals"}} in pod["volumes"]


def test_tracing_is_off_by_default_and_when_on_reaches_only_the_collector(tools, helm, rendered) -> None:
    """Every service gets TRACING_ENABLED (false by default) and triage its event catalogue; with tracing on and an
    endpoint, the endpoint is passed and the common NetworkPolicy lets the pods out to the collector's port only."""
    for service, deployment in deployments(rendered["default"]).items():
        env = {item["name"]: item["value"] for item in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["TRACING_ENABLED"] == "false" and "OTEL_EXPORTER_OTLP_ENDPOINT" not in env
        assert (env.get("TRIAGE_EVENT_CATALOGUE_DIR") == "/etc/meldestelle/asyncapi") == (service == "triage")
    assert "COPY docs/asyncapi /etc/meldestelle/asyncapi" in (ROOT / "Dockerfile").read_text()  # where the image has it
    endpoint = "http://otel-collector.monitoring.svc:4318"
    result = helm("template", "meldestelle", str(CHART), "--set", "tracing.enabled=true", "--set", f"tracing.otlpEndpoint={endpoint}")
    assert result.returncode == 0, result.stderr
    assert validate(tools, result.stdout).returncode == 0
    for deployment in deployments(result.stdout).values():
        env = {item["name"]: item["value"] for item in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["TRACING_ENABLED"] == "true" and env["OTEL_EXPORTER_OTLP_ENDPOINT"] == endpoint
    ports = [rule["ports"] for rule in find(result.stdout, "NetworkPolicy", "meldestelle-common")["spec"]["egress"]]
    default_ports = [rule["ports"] for rule in find(rendered["default"], "NetworkPolicy", "meldestelle-common")["spec"]["egress"]]
    assert [{"port": 4318, "protocol": "TCP"}] in ports and [{"port": 4318, "protocol": "TCP"}] not in default_ports
