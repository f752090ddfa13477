"""What every flow does first: open the application (its schema and roster put in place, under
the init lock: a worker needs no separate `dvtracker init`) and act as this flow run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.runtime import flow_run

from models.audit import acting_as
from models.clock import SYSTEM
from models.errors import UserError
from wiring.app import App, init_database, open_app
from wiring.settings import get_settings


@contextmanager
def flow_app() -> Iterator[App]:
    """The application, with changes audited as made by this flow run."""
    settings = get_settings()
    init_database(settings)
    app = open_app(settings)
    try:
        check_collector(app.config.collector.id, flow_run.get_tags())
        with acting_as(f"prefect:{flow_run.get_flow_name()}/{flow_run.get_name()}"):
            yield app
    finally:
        app.close()


def check_collector(collector: str, tags: list[str]) -> None:
    """Refuse a run of another collector's deployment (tag ``collector:<id>``, prefect.yaml): a
    worker works only on the database and files of the data folder it was started with."""
    theirs = [t.removeprefix("collector:") for t in tags if t.startswith("collector:")]
    if theirs and theirs[0] != collector:
        raise UserError(f"Lần chạy này thuộc deployment của đơn vị thu thập '{theirs[0]}', còn máy này phục vụ "
                        f"'{collector}' (thư mục dữ liệu của worker): không chạy. Kiểm tra work pool của worker.")


def run_name(prefix: str):
    """A flow-run namer: "<prefix> <day>[ <cycle>]", so the UI says which day and cycle."""

    def name() -> str:
        params = flow_run.get_parameters()
        label = f"{prefix} {params.get('as_of') or SYSTEM.today()}"
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
