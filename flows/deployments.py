"""prefect.yaml is the one definition of the deployments; this module turns it into
runnable deployments for `dvtracker serve` (the same schedules, parameters and triggers that
`prefect deploy --all` registers for workers)."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "prefect.yaml"


def load_project(path: Path = PROJECT_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def load_flow(entrypoint: str):
    """``flows/daily_tick.py:daily_tick`` -> the flow object."""
    file, _, name = entrypoint.partition(":")
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def runner_deployments(path: Path = PROJECT_FILE, only: list[str] | None = None) -> list:
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger
    from prefect.schedules import Cron

    deployments = []
    for spec in load_project(path):
        if only and spec["name"] not in only:
            continue
        schedules = [Cron(s["cron"], timezone=s.get("timezone"), active=s.get("active", True))
                     for s in spec.get("schedules") or []]
        triggers = [DeploymentEventTrigger(**{k: v for k, v in t.items() if k != "type"})
                    for t in spec.get("triggers") or []]
        deployments.append(load_flow(spec["entrypoint"]).to_deployment(
            name=spec["name"], description=spec.get("description"), tags=spec.get("tags"),
            parameters=spec.get("parameters") or {}, schedules=schedules or None, triggers=triggers or None,
            concurrency_limit=(spec.get("concurrency_limit") or {}).get("limit"),
        ))
    return deployments


def serve_project(only: list[str] | None = None) -> None:
    from prefect import serve

    serve(*runner_deployments(only=only), limit=4)
