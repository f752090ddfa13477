"""The compilation's summary as Markdown, for the Prefect artifact and the exports folder."""

from __future__ import annotations

from pathlib import Path

from models.checks import SEVERITIES, Finding
from models.compilation import OVERALL, Compilation, coverage, format_total, indicator_title
from models.footnote import Footnote
from models.groups import heading
from models.limits import markdown_text
from models.vnformat import change, day, number, percent
from tasks.documents import change_lines


def _cell(text) -> str:
    return markdown_text(text)


def _table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_cell(c) for c in r) + " |" for r in rows)]


def summary_markdown(comp: Compilation, *, version: int, footnote: Footnote, findings: list[Finding], changes: dict,
                     files: dict[str, Path]) -> str:
    out = [f"# Tổng hợp {comp.stream.short_name} {comp.cycle.label} — bản {version}", "",
           f"Kỳ `{comp.cycle.id}`; số liệu nhận đến ngày {day(comp.as_of)}.", "", "## Tình hình gửi báo cáo", ""]
    g = comp.status.groups
    out += _table(["Nhóm", "Phải báo cáo", "Đã báo cáo", "Đúng hạn", "Muộn", "Chưa báo cáo", "Mới có dự thảo", "Tỷ lệ"],
                  [[comp.status.labels.get(r.group, r.group), r.expected, r.actual, r.on_time, r.late,
                    r.missing + r.not_due, r.draft_only, percent(r.reporting_rate * 100 if r.expected else None)]
                   for r in g.itertuples()])
    pending = comp.units[comp.units["figures_pending"]]
    if len(pending):
        waiting = "; ".join(map(markdown_text, pending["name"]))
        out += ["", f"Báo cáo chờ xác nhận số liệu: {len(pending)} ({waiting}): đã tính là đã báo cáo, "
                "số liệu đọc trong văn bản chưa xác nhận thì chưa đưa vào tổng hợp."]
    out += ["", "Chú thích về các đơn vị đã báo cáo (sinh từ dữ liệu):", ""]
    out += [f"> {markdown_text(line)}  " for line in footnote.lines]

    out += ["", "## Số liệu tổng hợp", "",
            "Mỗi ô: số liệu (số đơn vị có số liệu/số đơn vị đã báo cáo). Tỷ lệ tính lại từ tổng tử số và mẫu số.", ""]
    groups = [g for g in comp.status.labels if g != OVERALL]
    header = ["Chỉ tiêu", *[heading(comp.status.labels[g]) for g in groups], "Tổng cộng"]
    if comp.previous:
        header += [f"Cùng kỳ {comp.previous.label}", "So sánh"]
    totals = comp.totals.set_index(["indicator", "group"])
    rows, empty = [], []
    for ind in (i for i in comp.indicators if i.aggregation in ("sum", "rate")):
        t = totals.loc[(ind.id, OVERALL)]
        if not t["reported"] and not (comp.previous and t["previous_reported"]):
            empty.append(ind.label)
            continue
        row = [indicator_title(ind)]
        for group in [*groups, OVERALL]:
            t = totals.loc[(ind.id, group)]
            row.append(f"{format_total(t['value'], t['reported'], t['aggregation'], t['approximate'])} "
                       f"({coverage(t['reported'], t['actual'])})")
        if comp.previous:
            t = totals.loc[(ind.id, OVERALL)]
            row.append(f"{format_total(t['previous_value'], t['previous_reported'], t['aggregation'])} "
                       f"({coverage(t['previous_reported'], t['previous_actual'])})")
            row.append(change(t["value"], t["previous_value"]) if t["reported"] and t["previous_reported"] else "")
        rows.append(row)
    out += _table(header, rows)
    if empty:
        out += ["", f"Chưa đơn vị nào báo cáo ({len(empty)} chỉ tiêu): {'; '.join(empty)}."]

    if not comp.rankings.empty:
        out += ["", "## Điểm số, xếp hạng (không cộng dồn)", ""]
        for iid, part in comp.rankings.groupby("indicator", sort=False):
            items = "; ".join(f"{r.rank}. {markdown_text(r.name)} {markdown_text(r.raw or number(r.value))}"
                              for r in part.itertuples())
            out.append(f"- {comp.indicator(iid).label}: {items}")

    out += ["", f"## Cần kiểm tra ({len(findings)})", ""]
    known = {i.id for i in comp.indicators}
    if findings:
        out += _table(["Mức độ", "Đơn vị", "Chỉ tiêu", "Bản", "Nội dung"],
                      [[SEVERITIES[f.severity], f.unit_name or (f"Mục {f.section}" if f.section else ""),
                        comp.indicator(f.indicator).label if f.indicator in known else (f.indicator or ""),
                        f.version or "", f.message] for f in findings])
    else:
        out.append("Không phát hiện điểm nào cần kiểm tra.")
    if changes:
        out += ["", f"## Thay đổi so với bản {changes['previous_version']}", ""]
        out += [f"- {markdown_text(line)}" for line in change_lines(changes)]
    if files:
        out += ["", "## Tệp", ""] + [f"- {name}: `{path}`" for name, path in files.items()]
    return "\n".join(out) + "\n"
