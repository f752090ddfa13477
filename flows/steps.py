"""The steps of the flows as Prefect tasks, so that the UI shows each one with its time and
state. Cheap work over all units is one task, never one per unit. No task retries by itself:
the document service retries its own transient failures (``tasks.http_source``), a failed
reminder is retried by the next run, and an error of the data or of a template would only
fail again."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from services import compile as compilation
from services.tick import PLAIN_STEPS, TickSteps

_options = dict(cache_policy=NO_CACHE, timeout_seconds=900)

TICK_STEPS = TickSteps(
    sweep_inbox=task(PLAIN_STEPS.sweep_inbox, name="sweep-inbox", **_options),
    pull_documents=task(PLAIN_STEPS.pull_documents, name="pull-documents", **_options),
    cycle_status=task(PLAIN_STEPS.cycle_status, name="compute-status", task_run_name="status {cycle_id}", **_options),
    send_reminders=task(PLAIN_STEPS.send_reminders, name="send-reminders", task_run_name="reminders {cycle_id}",
                        **_options),
    send_digest=task(PLAIN_STEPS.send_digest, name="send-digest", task_run_name="digest {cycle_id}", **_options),
    check_quorum=task(PLAIN_STEPS.check_quorum, name="check-quorum", task_run_name="quorum {cycle_id}", **_options),
    export_status=task(PLAIN_STEPS.export_status, name="export-status", **_options),
)
compile_cycle = task(compilation.compile_cycle, name="compile", task_run_name="compile {request.cycle}", **_options)
