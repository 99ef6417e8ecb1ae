"""The Grafana dashboard is a valid dashboard, and it and the alert rules ask only for metrics the code defines."""

import json
import re
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from meldestelle_shared.metrics import ConsumerMetrics, install_metrics
from meldestelle_shared.settings import MetricsSettings
from notify.bootstrap import build_notifier
from notify.settings import Settings as NotifySettings

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = json.loads((ROOT / "deploy/grafana/meldestelle.json").read_text())
ALERTS = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
PROMETHEUS_OWN = {"up"}  # series Prometheus writes itself for every scrape target
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"), "gauge": ("",)}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "inf", "nan"}


def defined_series() -> set[str]:
    """Every series name the services' registries can expose, from the metric objects the code creates."""
    registry = CollectorRegistry()
    ConsumerMetrics(registry)
    app = FastAPI()
    install_metrics(app, registry, MetricsSettings())
    app.build_middleware_stack()  # creates the HTTP metrics as serving would
    build_notifier(NotifySettings(), client=AsyncMongoClient(), registry=registry)  # the e-mail refusal counter
    return {family.name + suffix for family in registry.collect() for suffix in SUFFIXES[family.type]}


def metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers that are not functions, keywords or label names."""
    expression = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)  # strings
    expression = re.sub(r"\{[^}]*\}", "", expression)  # label matchers
    expression = re.sub(r"\[[^\]]*\]", "", expression)  # ranges and subqueries
    expression = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expression)  # label lists
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*(?!\s*\(|[A-Za-z0-9_:])", expression))
    return {name for name in names if name.lower() not in PROMQL_WORDS}


def panels() -> list[dict]:
    return [panel for panel in DASHBOARD["panels"] if panel["type"] != "row"]


def dashboard_expressions() -> list[str]:
    return [target["expr"] for panel in panels() for target in panel["targets"]]


def alert_expressions() -> list[str]:
    return [rule["expr"] for group in ALERTS["groups"] for rule in group["rules"]]


def test_metric_names_are_read_from_promql():
    expression = 'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{route="/x"}[5m]))) > up'
    assert metric_names(expression) == {"http_request_duration_seconds_bucket", "up"}


@pytest.mark.parametrize("expression", dashboard_expressions() + alert_expressions())
def test_every_queried_metric_exists_in_the_code(expression):
    assert metric_names(expression), f"no metric in {expression!r}"
    assert metric_names(expression) <= defined_series() | PROMETHEUS_OWN, expression


def test_dashboard_covers_every_metric_the_code_defines():
    queried = set().union(*(metric_names(expression) for expression in dashboard_expressions()))
    defined = {name for name in defined_series() if not name.endswith(("_created", "_count", "_sum"))}
    assert defined <= queried, defined - queried


def test_dashboard_is_a_grafana_dashboard():
    assert DASHBOARD["uid"] and DASHBOARD["title"] and isinstance(DASHBOARD["schemaVersion"], int)
    [variable] = [v for v in DASHBOARD["templating"]["list"] if v["type"] == "datasource"]
    assert variable["query"] == "prometheus"
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    for panel in DASHBOARD["panels"]:
        grid = panel["gridPos"]
        assert all(isinstance(grid[key], int) for key in ("h", "w", "x", "y")), panel["title"]
        assert grid["w"] > 0 and grid["h"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]
    for panel in panels():
        assert panel["type"] in {"timeseries", "stat"} and panel["title"], panel
        assert panel["datasource"] == {"type": "prometheus", "uid": "${%s}" % variable["name"]}, panel["title"]
        assert panel["targets"], panel["title"]
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs)) and all(target["expr"].strip() for target in panel["targets"]), panel["title"]


def test_panels_do_not_overlap():
    cells: dict[tuple[int, int], str] = {}
    for panel in DASHBOARD["panels"]:
        grid = panel["gridPos"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, (panel["title"], cells.get((x, y)))
                cells[(x, y)] = panel["title"]
