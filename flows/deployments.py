"""prefect.yaml is the one definition of the deployments; this module turns it into
runnable deployments for `dvtracker serve` (the same schedules, parameters and triggers that
`dvtracker deploy` registers for workers), named after the collector they serve."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from models.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parents[1]
PROJECT_FILE = PROJECT_DIR / "prefect.yaml"
COLLECTOR_PLACEHOLDER = "{{ $DVTRACKER_COLLECTOR }}"


def load_project(path: Path = PROJECT_FILE, collector: str | None = None) -> list[dict]:
    """The deployments of prefect.yaml; with ``collector``, as registered for it."""
    specs = yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]
    return specs if collector is None else _for_collector(specs, collector)


def _for_collector(value: Any, collector: str) -> Any:
    # Prefect resolves `{{ $VAR }}` from the process environment only; `serve` builds the
    # deployments in-process, so the one placeholder that names the collector is filled here.
    if isinstance(value, str):
        return value.replace(COLLECTOR_PLACEHOLDER, collector)
    if isinstance(value, list):
        return [_for_collector(v, collector) for v in value]
    if isinstance(value, dict):
        return {k: _for_collector(v, collector) for k, v in value.items()}
    return value


def flow_name(spec: dict) -> str:
    """The flow a deployment runs ("daily-tick"): with the collector as the deployment's name,
    the flow is what tells the deployments of one collector apart."""
    return load_flow(spec["entrypoint"]).name


def load_flow(entrypoint: str):
    """``flows/daily_tick.py:daily_tick`` -> the flow object."""
    file, _, name = entrypoint.partition(":")
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def checked_collector(collector: str) -> str:
    if not collector:
        raise UserError("calendar.yaml: collector.id trống. Cần mã của đơn vị thu thập (ví dụ 'bnv') để đặt tên các "
                        "deployment, sự kiện và artifact trên máy chủ Prefect.")
    return collector


def runner_deployments(collector: str, path: Path = PROJECT_FILE, only: list[str] | None = None) -> list:
    """The deployments of ``collector``; ``only``: those of these flows ("daily-tick")."""
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger
    from prefect.schedules import Cron

    deployments = []
    for spec in load_project(path, checked_collector(collector)):
        flow = load_flow(spec["entrypoint"])
        if only and flow.name not in only:
            continue
        schedules = [Cron(s["cron"], timezone=s.get("timezone"), active=s.get("active", True))
                     for s in spec.get("schedules") or []]
        triggers = [DeploymentEventTrigger(**{k: v for k, v in t.items() if k != "type"})
                    for t in spec.get("triggers") or []]
        deployments.append(flow.to_deployment(
            name=spec["name"], description=spec.get("description"), tags=spec.get("tags"),
            parameters=spec.get("parameters") or {}, schedules=schedules or None, triggers=triggers or None,
            concurrency_limit=(spec.get("concurrency_limit") or {}).get("limit"),
        ))
    return deployments


def serve_project(collector: str, only: list[str] | None = None) -> None:
    from prefect import serve

    serve(*runner_deployments(collector, only=only), limit=4)


def deploy_project(collector: str, inbox_host: str) -> subprocess.CompletedProcess:
    """`prefect deploy --all` for ``collector``, from the project folder, as a worker will pull it."""
    env = {**os.environ, "DVTRACKER_COLLECTOR": checked_collector(collector), "DVTRACKER_INBOX_HOST": inbox_host,
           "DVTRACKER_PROJECT_DIR": os.environ.get("DVTRACKER_PROJECT_DIR") or str(PROJECT_DIR)}
    return subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"], check=False, cwd=PROJECT_DIR,
                          env=env, capture_output=True, text=True, timeout=600)
