"""What a daily-tick run costs through a worker: from the run's creation on the Prefect server to
its completion, split where the time goes.

    python bench/worker_overhead.py [--runs 3] [--as-of 2026-12-02] [--json]

Needs a Prefect server (PREFECT_API_URL, PREFECT_API_AUTH_STRING when it has one) with the
deployments of prefect.yaml and a worker of the pool ``dvtracker`` polling the queue ``default``
(as ``scripts/production-check`` sets up). Each run is created from the ``daily-tick`` deployment
and followed until it ends; its state history gives:

- ``waiting``: created -> Pending, until a worker's poll picks the run up (the worker asks every
  PREFECT_WORKER_QUERY_SECONDS, 10 s by default: 0-10 s, 5 s on average);
- ``starting``: Pending -> Running, the worker starts a new Python process, which imports Prefect
  and the flow's modules and runs the pull step;
- ``working``: Running -> Completed, the flow itself (opening the application, which checks the
  schema and the roster under the init lock, the tick's steps as tasks, the events, artifacts);
- ``total``: created -> Completed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date


def one_run(client, deployment_id, as_of: str | None, timeout: float) -> dict:
    parameters = {"as_of": as_of} if as_of else {}
    run = client.create_flow_run_from_deployment(deployment_id, parameters=parameters)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.read_flow_run(run.id)
        if run.state is not None and run.state.is_final():
            break
        time.sleep(0.5)
    else:
        raise SystemExit(f"the run {run.id} did not end within {timeout:.0f} s")
    if run.state is None or run.state.type.value != "COMPLETED":
        raise SystemExit(f"the run {run.id} ended {run.state.name if run.state else 'without a state'}")
    states = sorted(client.read_flow_run_states(run.id), key=lambda s: s.timestamp)
    first = {}
    for s in states:
        first.setdefault(s.type.value, s.timestamp)
    created = run.created
    pending, running, completed = first.get("PENDING"), first.get("RUNNING"), first.get("COMPLETED")
    if not (created and pending and running and completed):
        raise SystemExit(f"the run {run.id} lacks a state: {[s.type.value for s in states]}")
    return {"waiting": (pending - created).total_seconds(), "starting": (running - pending).total_seconds(),
            "working": (completed - running).total_seconds(), "total": (completed - created).total_seconds()}


def _collector() -> str:
    from models.streams import load_calendar
    from wiring.settings import get_settings

    return load_calendar(get_settings().calendar_file).collector.id


def measure(runs: int = 3, as_of: str | None = None, timeout: float = 300) -> dict:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"daily-tick/{_collector()}")
        results = [one_run(client, deployment.id, as_of, timeout) for _ in range(runs)]
    return {"runs": results, "median": {k: statistics.median(r[k] for r in results) for k in results[0]}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", default=None, help="the day the tick runs for (default: the server's today)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.as_of:
        date.fromisoformat(args.as_of)
    result = measure(args.runs, args.as_of)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    m = result["median"]
    print(f"daily-tick through a worker, median of {args.runs}: total {m['total']:.1f} s = waiting for a poll "
          f"{m['waiting']:.1f} s + starting the process {m['starting']:.1f} s + the flow {m['working']:.1f} s")
    for n, r in enumerate(result["runs"], 1):
        print(f"  run {n}: " + ", ".join(f"{k} {v:.1f} s" for k, v in r.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
