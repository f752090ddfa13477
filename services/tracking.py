"""What coordinators ask of the data: the roster on a day, who has reported in a cycle, the
versions received, a unit across cycles. Read only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from models.cycles import get_cycle
from models.errors import UserError
from models.history import submission_versions, unit_history
from models.roster import Unit
from models.status import STATUS_LABELS, StatusReport
from tasks import day_summary, exports, tracking
from wiring.app import App


def units_on(app: App, day: date, *, group: str | None = None, all_units: bool = False) -> list[Unit]:
    groups = app.roster.groups
    if group is not None and group not in groups:
        known = ", ".join(f"{g} ({w.label})" for g, w in groups.items())
        raise UserError(f"--group '{group}' không hợp lệ (cần: {known}).")
    return app.roster.on(day, group=group, official_only=not all_units)


def status(app: App, cycle_id: str, as_of: date, *, only: list[str] | None = None,
           export: Path | None = None, sep: str = ",") -> StatusReport:
    """Every expected unit's status on ``as_of``; ``only`` keeps the units of those statuses in
    ``units`` (the counts stay those of all units); ``export`` writes it to a file first."""
    bad = [s for s in only or [] if s not in STATUS_LABELS]
    if bad:
        raise UserError(f"--only '{bad[0]}' không hợp lệ (cần: {', '.join(STATUS_LABELS)}).")
    report = tracking.cycle_status(app, cycle_id, as_of)
    if export:
        exports.write_status(report, export, title=tracking.cycle_title(app, cycle_id), sep=sep)
    if only:
        report.units = report.units[report.units["status"].isin(only)]
    return report


def summary(app: App, cycle_id: str, as_of: date) -> str:
    """The day's summary (Markdown), as the tick's artifact and file show it."""
    return day_summary.cycle_summary(app, cycle_id, as_of)


def versions(app: App, cycle_id: str, unit: str | None = None) -> pd.DataFrame:
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        unit_id = app.roster.find(unit, cycle.reference_date).id if unit else None
        return submission_versions(session, app.roster, cycle, unit_id)


def history(app: App, unit: Unit, as_of: date) -> pd.DataFrame:
    with app.session() as session:
        return unit_history(session, app.roster, app.calendar, unit.id, as_of)
