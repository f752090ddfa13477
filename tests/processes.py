"""Real OS processes for the concurrency and crash tests: each worker opens its own App on the
test's database (as a second `dvtracker` or Prefect worker would), waits at a barrier so that
the workers really start together, does the work and sends back plain data.

Workers are started with the 'spawn' method: a fresh interpreter, no state shared with the test
process but the database, the folders and what the arguments carry."""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from datetime import date, datetime

SPAWN = multiprocessing.get_context("spawn")


def run_together(target, arguments: list[tuple], timeout: float = 180) -> list:
    """Run ``target(barrier, *args)`` in one process per entry of ``arguments``, all released at
    once; returns their results in order. A worker that fails fails the test with its traceback."""
    barrier = SPAWN.Barrier(len(arguments))
    results = SPAWN.Queue()
    workers = [SPAWN.Process(target=_run, args=(target, n, barrier, results, args)) for n, args in enumerate(arguments)]
    for w in workers:
        w.start()
    try:
        answers = dict(_answer(results.get(timeout=timeout)) for _ in workers)
    finally:
        for w in workers:
            w.join(timeout=30)
            if w.is_alive():
                w.kill()
    return [answers[n] for n in range(len(workers))]


def _answer(message: tuple) -> tuple[int, object]:
    n, ok, value = message
    if not ok:
        raise AssertionError(f"tiến trình {n} lỗi:\n{value}")
    return n, value


def run_alone(target, *args, timeout: float = 180) -> int:
    """Run ``target(*args)`` in a fresh process and return its exit code (negative: killed by that signal)."""
    process = SPAWN.Process(target=target, args=args)
    process.start()
    process.join(timeout=timeout)
    if process.is_alive():
        process.kill()
        raise AssertionError("tiến trình không kết thúc")
    return process.exitcode


def _run(target, n: int, barrier, results, args: tuple) -> None:
    try:
        results.put((n, True, target(barrier, *args)))
    except BaseException:
        results.put((n, False, traceback.format_exc()))


def open_worker_app(settings: dict, **options):
    from wiring.app import open_app
    from wiring.settings import Settings

    return open_app(Settings(**settings), **options)


def die(*_args, **_kwargs):
    """Stand-in for a power cut: the process ends at once, without unwinding anything."""
    os.kill(os.getpid(), signal.SIGKILL)


# --- workers ----------------------------------------------------------------------------------------
def submit_reports(barrier, settings: dict, files: list[tuple[str, bytes]], received_at: datetime,
                   race: bool) -> list[tuple]:
    """Receive ``files`` one after the other. With ``race``, the first store waits at the barrier
    again just before inserting its version, after checking for an existing one: every worker is
    then past that check, so the database's constraints have to sort them out."""
    from sqlmodel import Session

    from tasks.intake import ingest

    app = open_worker_app(settings)
    if race:
        original, waited = Session.begin_nested, []

        def begin_nested(self):
            if not waited:
                waited.append(True)
                barrier.wait(timeout=60)
            return original(self)

        Session.begin_nested = begin_nested
    barrier.wait(timeout=60)
    out = []
    for name, content in files:
        o = ingest(app, content, name, source="file", received_at=received_at)
        out.append((name, o.outcome, o.unit_id, o.version, o.submission_id, [str(e) for e in o.errors]))
    app.engine.dispose()
    return out


def daily_tick(barrier, settings: dict, cycle_id: str, day: date, now: datetime) -> dict:
    """The daily tick itself (``services.tick.run_daily_tick``, as the flow runs it, without
    Prefect) at ``now`` on ``day``."""
    from models.clock import Clock
    from services.tick import run_daily_tick

    app = open_worker_app(settings, clock=Clock(at=now))
    barrier.wait(timeout=60)
    result = run_daily_tick(app, day, cycle_id=cycle_id)
    app.close()
    (cycle,) = result.cycles
    return dict(files=[(o.source_ref, o.outcome) for o in result.outcomes],
                reminders=[(i.unit_id, i.channel, i.outcome) for i in cycle.reminders.items if i.channel],
                quorum_newly_reached=cycle.quorum.newly_reached, quorum_reached_on=cycle.quorum.reached_on)


def sweep_and_die(settings: dict, received_at: datetime, where: str) -> None:
    """Sweep the inbox and die at ``where``: 'before_commit' (the intake row is being written in the
    file's transaction) or 'after_commit' (the outcome is committed, the file not yet moved)."""
    import tasks.intake as intake

    app = open_worker_app(settings)
    if where == "before_commit":
        intake._intake_row = die
    else:
        intake.os.replace = die
    intake.sweep_inbox(app, received_at=received_at)


def remind_and_die(settings: dict, cycle_id: str, day: date, now: datetime, where: str) -> None:
    """Send the reminders due and die at ``where``: 'after_send' (the message went, its outcome is
    not recorded) or 'before_send' (the reminder is claimed, nothing went)."""
    import tasks.reminders as reminders
    from notifications.channels import Dispatcher

    app = open_worker_app(settings)
    if where == "after_send":
        reminders._record = die
    else:
        Dispatcher.send = die
    reminders.send_due_reminders(app, cycle_id, day, now=now)


def compile_together(barrier, settings: dict, cycle_id: str, day: date) -> tuple:
    """Compile ``cycle_id``; both workers are released at once after reading the reports, so that
    each is past its check for an existing version before either stores one."""
    import tasks.compile as compilation
    from services.compile import CompileRequest, compile_cycle

    app = open_worker_app(settings)
    real = compilation.write_report

    def write_report_together(*args, **kwargs):
        barrier.wait(timeout=60)
        return real(*args, **kwargs)

    compilation.write_report = write_report_together
    try:
        result = compile_cycle(app, CompileRequest.of(cycle=cycle_id, as_of=day))
        return result.version, result.created, None
    except Exception as exc:  # the loser of a race to different content is told to run again
        return None, False, str(exc)
    finally:
        app.close()
