"""daily-tick: every working morning, take in what arrived, update every cycle's status,
send the reminders that are due, check the quorum and tell the coordinators."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import day_or_today, exclusive, flow_app, run_name
from models.clock import today_vn, vn_moment
from tasks import events, steps
from tasks.publish import publish_status
from tasks.tracking import cycle_title, open_cycle_ids, tick_summary


@flow(name="daily-tick", flow_run_name=run_name("daily-tick"), timeout_seconds=3600)
def daily_tick(as_of: date | None = None, cycle_id: str | None = None) -> dict:
    """One working day of every open cycle (or of ``cycle_id``). ``as_of`` replays a day:
    files in the inbox are then taken as received that morning."""
    logger = get_run_logger()
    day = day_or_today(as_of)
    with flow_app() as app:
        reason = app.calendar.day_off_reason(day)
        if reason:
            logger.info(f"{day:%d/%m/%Y} là ngày nghỉ ({reason}): không tiếp nhận, không đôn đốc.")
            return {"day": day.isoformat(), "skipped": reason}
        received_at = None if day == today_vn() else vn_moment(day, 9)

        with exclusive("dvtracker-intake"):
            outcomes = steps.sweep_inbox(app, received_at=received_at)
            if app.settings.http_base_url:
                outcomes += steps.pull_documents(app, received_at=received_at)
        for o in outcomes:
            if o.outcome in ("accepted", "draft"):
                events.emit(events.REPORT_RECEIVED, o.cycle_id, f"{o.unit_id}|v{o.version}", unit=(o.unit_id, o.unit_name),
                            payload={"version": o.version, "doc_number": o.doc_number, "draft": o.outcome == "draft",
                                     "received_on": str(o.received_on), "source": o.source_ref})
            elif o.outcome == "rejected":
                events.emit(events.REPORT_REJECTED, o.cycle_id or "unknown", f"{o.source_ref}|{day}",
                            payload={"file": o.source_ref, "errors": [str(e) for e in o.errors][:20]})

        results = {}
        for cid in open_cycle_ids(app, cycle_id):
            results[cid] = _tick_cycle(app, cid, day, [o for o in outcomes if o.cycle_id == cid])
        logger.info(f"Ngày {day:%d/%m/%Y}: tiếp nhận {len(outcomes)} tệp; đã xử lý {len(results)} kỳ báo cáo.")
        return {"day": day.isoformat(), "files": len(outcomes), "cycles": results}


def _tick_cycle(app, cycle_id: str, day: date, outcomes: list) -> dict:
    label = cycle_title(app, cycle_id)
    report = steps.cycle_status.with_options(task_run_name=f"status {cycle_id}")(app, cycle_id, day)
    reminded = steps.send_reminders.with_options(task_run_name=f"reminders {cycle_id}")(
        app, cycle_id, day, now=None if day == today_vn() else vn_moment(day, 23, 59))
    quorum = steps.check_quorum.with_options(task_run_name=f"quorum {cycle_id}")(app, cycle_id, day, report)
    steps.send_digest.with_options(task_run_name=f"digest {cycle_id}")(app, cycle_id, day, reminded)

    deadline = report.deadline
    if deadline and day > deadline:
        for u in report.units_with("missing", "draft_only").itertuples():
            events.emit(events.UNIT_LATE, cycle_id, f"{u.unit_id}|{deadline}", unit=(u.unit_id, u.name),
                        payload={"deadline": deadline.isoformat(), "status": u.status})
    for item in reminded.sent:
        events.emit(events.REMINDER_SENT, cycle_id, f"{item.unit_id}|{item.stage}|{item.channel}",
                    unit=(item.unit_id, item.unit_name), payload={"stage": item.stage, "channel": item.channel})
    for item in reminded.failed:
        events.emit(events.REMINDER_FAILED, cycle_id, f"{item.unit_id}|{item.stage}|{item.channel}|{day}",
                    unit=(item.unit_id, item.unit_name), payload={"stage": item.stage, "error": item.error})
    if quorum.reached and not quorum.compiled:
        # Emitted again on later ticks until a compilation exists (same event id: stored once).
        events.emit(events.QUORUM_REACHED, cycle_id, str(quorum.reached_on),
                    payload={"reached_on": str(quorum.reached_on), "reasons": quorum.reasons})
    elif quorum.compiled and any(o.outcome == "accepted" for o in outcomes):
        newest = max(o.version for o in outcomes if o.outcome == "accepted")
        events.emit(events.REPORTS_ADDED, cycle_id, f"{day}|{len(outcomes)}|{newest}",
                    payload={"day": day.isoformat(), "accepted": sum(o.outcome == "accepted" for o in outcomes)})

    files = steps.export_status(app, report)
    publish_status(report, tick_summary(app, report, reminded, quorum, files), label)
    overall = report.overall()
    return {"actual": overall["actual"], "expected": overall["expected"], "missing": overall["missing"],
            "reminders_sent": len(reminded.sent), "reminders_failed": len(reminded.failed),
            "quorum_reached": quorum.reached}
