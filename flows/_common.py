"""What every flow does first: open the application and act as this flow run."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from prefect.runtime import flow_run

from dvtracker.app import App, open_app
from models.audit import acting_as
from models.clock import today_vn


@contextmanager
def flow_app():
    """The application, with changes audited as made by this flow run."""
    app: App = open_app()
    with acting_as(f"prefect:{flow_run.get_flow_name()}/{flow_run.get_name()}"):
        yield app


def day_or_today(as_of: date | None) -> date:
    return as_of or today_vn()


def run_name(prefix: str):
    """A flow-run namer: "<prefix> <day>[ <cycle>]", so the UI says which day and cycle."""

    def name() -> str:
        from prefect.runtime import flow_run

        params = flow_run.get_parameters()
        label = f"{prefix} {params.get('as_of') or today_vn()}"
        return label + (f" {params['cycle_id']}" if params.get("cycle_id") else "")

    return name


def secret_lookup(name: str) -> str | None:
    """A ``${NAME}`` of a chat URL: the Prefect Secret block ``name`` (lower case, dashes),
    else the environment variable ``DVTRACKER_SECRET_NAME``."""
    from prefect.blocks.system import Secret

    from notifications.channels import env_secret

    try:
        return Secret.load(name.lower().replace("_", "-")).get()
    except Exception:  # no such block (or no server): fall back to the environment
        return env_secret(name)
