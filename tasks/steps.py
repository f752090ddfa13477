"""The Prefect tasks: each wraps one plain function of this package with the retries,
timeouts and names the UI shows. Cheap work over all units is one task, never one per unit."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import compile as compilation
from tasks import exports, http_source, intake, reminders, tracking

_local = dict(cache_policy=NO_CACHE, timeout_seconds=600)
# Network steps: retried with growing, jittered delays. Each is idempotent (cursor, claims).
_network = dict(cache_policy=NO_CACHE, timeout_seconds=900, retries=3, retry_delay_seconds=[10, 60, 300],
                retry_jitter_factor=0.5)

open_cycle = task(tracking.open_cycle_for, name="open-cycle", **_local)
sweep_inbox = task(intake.sweep_inbox, name="sweep-inbox", **_local)
pull_documents = task(http_source.pull_documents, name="pull-documents", **_network)
cycle_status = task(tracking.cycle_status, name="compute-status", task_run_name="status {cycle_id}", **_local)
export_status = task(exports.export_status_files, name="export-status", **_local)
check_quorum = task(tracking.check_quorum, name="check-quorum", task_run_name="quorum {cycle_id}", **_local)
send_reminders = task(reminders.send_due_reminders, name="send-reminders", task_run_name="reminders {cycle_id}",
                      **_network)
send_digest = task(reminders.send_digest, name="send-digest", task_run_name="digest {cycle_id}", **_network)
compile_cycle = task(compilation.compile_cycle, name="compile", task_run_name="compile {cycle_id}", **_local)
