"""daily-tick: every working morning, take in what arrived, update every cycle's status,
send the reminders that are due, check the quorum and tell the coordinators."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import day_or_today, flow_app, run_name, secret_lookup
from models.clock import today_vn, vn_moment
from tasks import events, steps
from tasks.publish import publish_status
from tasks.tracking import CycleRef, cycle_ref, cycle_title, open_cycle_ids, tick_summary


@flow(name="daily-tick", flow_run_name=run_name("daily-tick"), timeout_seconds=3600)
def daily_tick(as_of: date | None = None, cycle_id: str | None = None) -> dict:
    """One working day of every open cycle (or of ``cycle_id``). ``as_of`` replays a day: files
    in the inbox are then taken as received that morning, reminders as sent that day."""
    logger = get_run_logger()
    day = day_or_today(as_of)
    replay = day != today_vn()
    with flow_app() as app:
        reason = app.calendar.day_off_reason(day)
        if reason:
            logger.info(f"{day:%d/%m/%Y} là ngày nghỉ ({reason}): không tiếp nhận, không đôn đốc.")
            return {"day": day.isoformat(), "skipped": reason}

        outcomes, source_error = _take_in(app, vn_moment(day, 9) if replay else None)
        if source_error:
            logger.warning(f"Không lấy được văn bản từ hệ thống văn bản: {source_error}")
        _announce_intake(app, outcomes, day)
        results = {cid: _tick_cycle(app, cid, day, [o for o in outcomes if o.cycle_id == cid],
                                    [o for o in outcomes if o.outcome == "rejected"],
                                    vn_moment(day, 23, 59) if replay else None)
                   for cid in open_cycle_ids(app, cycle_id)}
    logger.info(f"Ngày {day:%d/%m/%Y}: nhận {len(outcomes)} tệp; đã xử lý {len(results)} kỳ báo cáo.")
    return {"day": day.isoformat(), "files": len(outcomes), "source_error": source_error, "cycles": results}


def _take_in(app, received_at):
    """Sweep the inbox (a second tick waits for the inbox's lock) and pull the document-exchange
    service (its cursor and the duplicate check make a second pull harmless)."""
    source_error = None
    outcomes = steps.sweep_inbox(app, received_at=received_at)
    if app.settings.http_base_url:
        try:
            outcomes += steps.pull_documents(app, received_at=received_at)
        except Exception as exc:  # the service stays down: tomorrow's tick reads on from the cursor
            outcomes += getattr(exc, "outcomes", [])
            source_error = str(exc)
    return outcomes, source_error


def _announce_intake(app, outcomes, day: date) -> None:
    refs = {cid: cycle_ref(app, cid) for cid in {o.cycle_id for o in outcomes if o.cycle_id}}
    for o in outcomes:
        if o.outcome in ("accepted", "draft"):
            events.emit(events.REPORT_RECEIVED, refs[o.cycle_id], f"{o.unit_id}|v{o.version}", unit=(o.unit_id, o.unit_name),
                        payload={"version": o.version, "doc_number": o.doc_number, "draft": o.outcome == "draft",
                                 "received_on": str(o.received_on), "file": o.source_ref, "sender": o.sender_name})
        elif o.outcome == "rejected":
            events.emit(events.REPORT_REJECTED, refs.get(o.cycle_id, CycleRef("unknown", "")),
                        f"{o.source_ref}|{o.blob_sha256}",
                        payload={"file": o.source_ref, "errors": [str(e) for e in o.errors][:20], "day": str(day)})


def _tick_cycle(app, cycle_id: str, day: date, received: list, rejected: list, now) -> dict:
    cycle = cycle_ref(app, cycle_id)
    report = steps.cycle_status(app, cycle_id, day)
    run = steps.send_reminders(app, cycle_id, day, now=now, secrets=secret_lookup)
    steps.send_digest(app, cycle_id, day, run, now=now, secrets=secret_lookup)
    quorum = steps.check_quorum(app, cycle_id, day, report)
    files = steps.export_status(app, report)

    if report.deadline and day > report.deadline:
        for u in report.units_with("missing", "draft_only").itertuples():
            events.emit(events.UNIT_LATE, cycle, f"{u.unit_id}|{report.deadline}", unit=(u.unit_id, u.name),
                        payload={"deadline": report.deadline.isoformat(), "status": u.status})
    for item in run.sent:
        events.emit(events.REMINDER_SENT, cycle, f"{item.unit_id}|{item.stage}|{item.channel}",
                    unit=(item.unit_id, item.unit_name), payload={"stage": item.stage, "channel": item.channel,
                                                                   "recipients": item.recipients})
    for item in run.failed:
        events.emit(events.REMINDER_FAILED, cycle, f"{item.unit_id}|{item.stage}|{item.channel}|{day}",
                    unit=(item.unit_id, item.unit_name), payload={"stage": item.stage, "error": item.error})
    if quorum.reached and not quorum.compiled:
        # Sent again by later ticks until a compilation exists; the same id is stored once.
        events.emit(events.QUORUM_REACHED, cycle, str(quorum.reached_on),
                    payload={"as_of": day.isoformat(), "reached_on": str(quorum.reached_on), "reasons": quorum.reasons})
    elif quorum.compiled and any(o.outcome == "accepted" for o in received):
        events.emit(events.REPORTS_ADDED, cycle, "|".join(sorted(f"{o.unit_id}v{o.version}" for o in received)),
                    payload={"as_of": day.isoformat(), "units": [o.unit_name for o in received]})

    publish_status(report, tick_summary(app, report, run, quorum, files, rejected), cycle_title(app, cycle_id))
    overall = report.overall()
    return {"actual": overall["actual"], "expected": overall["expected"], "missing": overall["missing"],
            "received": len(received), "accepted": sum(o.outcome == "accepted" for o in received),
            "reminders_sent": len(run.sent), "reminders_failed": len(run.failed),
            "quorum_reached": quorum.reached, "quorum_newly_reached": quorum.newly_reached}
