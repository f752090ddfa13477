"""The picture of a cycle's progress (``models.progress``): a PNG for the day's summary, and the
same chart, native, in the status workbook (sheet "Biểu đồ").

The PNG is drawn with matplotlib's Agg canvas (no display, no pyplot state shared between
threads); a group's line is the share of its expected units that had reported by each day, its
quorum share a dashed line of the same colour, the deadline a vertical line.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, PercentFormatter
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter

from models import vnformat
from models.cycles import get_cycle, requests_of
from models.groups import heading
from models.progress import Progress, received_per_day
from models.status import StatusReport
from tasks.sheets import write_only_table
from wiring.app import App

TITLE = "Báo cáo nhận được theo ngày"
SHEET = "Biểu đồ"
COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400")


def cycle_progress(app: App, report: StatusReport) -> Progress:
    """The progress of ``report``'s cycle from its first request to the report's day."""
    with app.session() as session:
        cycle = get_cycle(session, report.cycle_id)
        requests = requests_of(session, cycle.id)
        shares = dict((cycle.quorum_rule or {}).get("shares") or {})
    opening = requests[0].issued_on if requests else report.as_of
    return received_per_day(report, opening, shares)


def _plain(text: str) -> str:
    """Text from data as matplotlib shows it literally: a "$" would start mathtext."""
    return text.replace("$", r"\$")


def chart_png(progress: Progress, title: str) -> bytes:
    """The picture as PNG bytes (1200 × 600 px): Vietnamese title and labels, dd/mm dates."""
    fig = Figure(figsize=(10, 5), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    shares = progress.shares
    days = list(shares.index)
    for i, group in enumerate(shares.columns):
        colour = COLOURS[i % len(COLOURS)]
        name = heading(progress.labels[group])
        last = int(progress.counts[group].iloc[-1])
        ax.step(days, shares[group].fillna(0) * 100, where="post", color=colour, linewidth=2,
                label=_plain(f"{name}: {last}/{progress.expected[group]}"))
        if group in progress.quorum:
            ax.axhline(progress.quorum[group] * 100, color=colour, linestyle="--", linewidth=1,
                       label=_plain(f"Điều kiện tổng hợp {progress.labels[group]}: {progress.quorum[group]:.0%}"))
    if progress.deadline is not None and days and days[0] <= progress.deadline <= days[-1] + timedelta(days=1):
        ax.axvline(float(date2num(progress.deadline)), color="#555555", linestyle=":", linewidth=1.5,
                   label=f"Hạn nộp {vnformat.day(progress.deadline)}")
    ax.set_title(_plain(title))
    ax.set_xlabel("Ngày nhận")
    ax.set_ylabel("Tỷ lệ đơn vị đã báo cáo")
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    if days:
        ax.set_xlim(days[0], days[-1] + timedelta(days=1) if len(days) == 1 else days[-1])
    step = max(1, -(-len(days) // 12))  # at most 12 dates, evenly spaced across month ends
    ax.xaxis.set_major_locator(FixedLocator(date2num(days[::step])))
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def chart_title(progress: Progress, cycle_title: str, as_of: date) -> str:
    return f"{TITLE}: {cycle_title} (đến ngày {vnformat.day(as_of)})"


def _chart_table(progress: Progress) -> tuple[list[str], list[list], list[str]]:
    """(header, rows, the share columns) of the day × group table: dates, then each group's count
    and share, then each quorum share, then a note."""
    groups = list(progress.counts.columns)
    header = ["Ngày"]
    for g in groups:
        header += [f"{heading(progress.labels[g])}: đã báo cáo", f"{heading(progress.labels[g])}: tỷ lệ"]
    quorum = [g for g in groups if g in progress.quorum]
    header += [f"Điều kiện tổng hợp {progress.labels[g]}" for g in quorum]
    header.append("Ghi chú")
    shares = progress.shares
    rows = []
    for day in progress.counts.index:
        row: list = [day]
        for g in groups:
            share = shares.at[day, g]
            row += [int(progress.counts.at[day, g]), None if share != share else round(float(share), 4)]
        row += [progress.quorum[g] for g in quorum]
        row.append("Hạn nộp" if day == progress.deadline else None)
        rows.append(row)
    return header, rows, [h for h in header if h.endswith(": tỷ lệ") or h.startswith("Điều kiện")]


def _chart(ws, progress: Progress, title: str, header: list[str], share_columns: list[str], last: int) -> None:
    """The line chart of the shares, drawn from the table on ``ws`` (rows 1 to ``last``)."""
    chart = LineChart()
    chart.title = title[:250]
    chart.y_axis.title = "Tỷ lệ đơn vị đã báo cáo"
    chart.x_axis.title = "Ngày nhận"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.number_format = "dd/mm"
    chart.height, chart.width = 9, 20
    for col in (header.index(h) + 1 for h in share_columns):
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    for series in chart.series[len(progress.counts.columns):]:
        series.graphicalProperties.line.dashStyle = "dash"
    ws.add_chart(chart, f"{get_column_letter(len(header) + 2)}2")


def write_only_chart_sheet(book, progress: Progress, title: str) -> None:
    """The day × group table (dates, then each group's count and share, then each quorum share)
    as the next sheet of a workbook written row by row, and a line chart of the shares drawn from it."""
    header, rows, share_columns = _chart_table(progress)
    ws = write_only_table(book, SHEET, header, rows, percent_columns=tuple(share_columns))
    _chart(ws, progress, title, header, share_columns, len(rows) + 1)
