"""dvtracker contacts import|list / remind / reminders log|requeue / cycle policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.markup import escape

from dvtracker.cli.common import JSON_OPTION, actor, console, fmt_date, get_app, print_json, table, to_date
from dvtracker.cli.cycles import cycle_app
from models.contacts import CHANNELS, ROLES
from models.reminders import CHANNEL_LABELS, OUTCOMES, stage_label
from services import cycles as cycle_service
from services import reminders as service
from services.cycles import PolicyChange

contacts_app = typer.Typer(help="Đầu mối liên hệ của các đơn vị (nhận thư, tin nhắn đôn đốc).", no_args_is_help=True)
reminders_app = typer.Typer(help="Nhật ký đôn đốc và xử lý lần gửi bị gián đoạn.", no_args_is_help=True)


@contacts_app.command("import")
def contacts_import(
    file: Path = typer.Argument(..., help="Tệp CSV hoặc YAML: unit,role,channel,address,name,valid_from,valid_to."),
    on: str = typer.Option(None, "--on", help="Ngày dùng để tra mã đơn vị khi dòng không ghi valid_from (mặc định: hôm nay)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Nạp (thêm hoặc cập nhật) đầu mối liên hệ từ tệp; nạp lại cùng tệp không thay đổi gì."""
    with actor():
        result = service.import_contacts(get_app(), file, to_date(on, "--on"))
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(f"Đã nạp {file.name}: {result.rows} dòng — thêm mới {result.created}, cập nhật {result.updated}, "
                      f"không đổi {result.unchanged}, lỗi {len(result.errors)}.")
        for e in result.errors:
            typer.echo(f"Lỗi: {e['message']}", err=True)
    if result.errors:
        raise typer.Exit(2)


@contacts_app.command("list")
def contacts_list(
    unit: str = typer.Option(None, "--unit", help="Mã hoặc tên đơn vị."),
    on: str = typer.Option(None, "--on", help="Chỉ các đầu mối còn hiệu lực vào ngày này."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Danh sách đầu mối liên hệ."""
    data = [dict(c, valid_from=c["valid_from"].isoformat() if c["valid_from"] else None,
                 valid_to=c["valid_to"].isoformat() if c["valid_to"] else None)
            for c in service.contacts_on(get_app(), unit, to_date(on, "--on"))]
    if as_json:
        print_json(data)
        return
    table(f"Đầu mối liên hệ ({len(data)})", ["Đơn vị", "Vai trò", "Kênh", "Địa chỉ", "Họ tên", "Hiệu lực"],
          [[d["unit_name"], ROLES[d["role"]], CHANNELS[d["channel"]], d["address"], d["name"],
            f"{fmt_date(date.fromisoformat(d['valid_from'])) if d['valid_from'] else ''}–"
            f"{fmt_date(date.fromisoformat(d['valid_to'])) if d['valid_to'] else ''}"] for d in data])


def remind(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    as_of: str = typer.Option(None, "--as-of", help="Ngày xét (mặc định: hôm nay; gửi thật chỉ cho hôm nay)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ xem những gì sẽ gửi: không gửi, không ghi gì."),
    eml: Path = typer.Option(None, "--eml", help="Cùng --dry-run: ghi các thư sẽ gửi vào thư mục này (tệp .eml, "
                             "đúng từng byte như sẽ gửi) để mở bằng chương trình thư trước khi gửi."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Gửi (hoặc xem trước) các thư, tin nhắn đôn đốc đến hạn của một kỳ, rồi gửi bản tổng hợp cho điều phối viên."""
    with actor():
        run, digest = service.remind(get_app(), cycle, to_date(as_of, "--as-of"), dry_run=dry_run, eml_dir=eml)
    if as_json:
        print_json(dict(run=run.to_dict(), digest=digest.to_dict() if digest else None))
    else:
        _print_run(run, digest)
    if run.failed or (digest and digest.status == "failed"):
        raise typer.Exit(1)


def _print_run(run, digest) -> None:
    head = f"[bold]Đôn đốc kỳ {run.cycle_id}[/bold] ngày {fmt_date(run.as_of)}"
    if run.dry_run:
        head += " — [yellow]chạy thử: không gửi, không ghi gì[/yellow]"
    console.print(head)
    if run.stage:
        console.print(f"Đợt nhắc: {run.stage.label} (mã {run.stage.id}, đến hạn {fmt_date(run.stage.due_on)}); "
                      f"thư điện tử: {'qua máy chủ SMTP' if run.delivery == 'smtp' else 'ghi vào hộp thư đi (.eml)'}")
    else:
        console.print(run.note)
    _print_letter(run.letter)
    shown = [i for i in run.items if i.outcome != "no_contact"]
    if shown:
        table("Thư, tin nhắn đôn đốc", ["Đơn vị", "Đợt", "Kênh", "Người nhận", "Kết quả", "Ghi chú"],
              [[i.unit_name + (f" (qua {i.via_unit_name})" if i.via_unit_name else ""), i.stage,
                CHANNEL_LABELS[i.channel], ", ".join(i.recipients), OUTCOMES[i.outcome], i.error or ""]
               for i in shown])
    missing = [i.unit_name for i in run.items if i.outcome == "no_contact"]
    if missing:
        console.print(f"Không có đầu mối liên hệ ({len(missing)}): {', '.join(missing)}")
    counts = {k: len(run.with_outcome(k)) for k in OUTCOMES}
    console.print("Tổng: " + "; ".join(f"{OUTCOMES[k]} {n}" for k, n in counts.items() if n) if any(counts.values())
                  else "Không có thư, tin nhắn nào đến hạn.")
    if digest is not None:
        labels = {"sent": "đã gửi", "written": f"đã ghi vào {digest.path}", "unchanged": "không có gì mới, không gửi lại",
                  "failed": f"gửi lỗi ({escape(digest.error or '')}), sẽ gửi lại ở lần chạy sau",
                  "skipped": "không gửi (hôm nay không có đợt nhắc)"}
        console.print(f"Bản tổng hợp cho điều phối viên: {labels[digest.status]}.")


def _print_letter(letter: dict | None) -> None:
    if not letter or letter["state"] == "none":
        return
    if letter["state"] == "would_draft":
        console.print(f"Công văn đôn đốc: sẽ soạn dự thảo cho {letter['units']} đơn vị chưa báo cáo.")
    elif letter["state"] == "draft":
        console.print(f"Công văn đôn đốc: dự thảo ({letter['units']} đơn vị) chờ số tại {escape(letter['path'])}; "
                      "sau khi có số, ghi bằng 'dvtracker cycle request ID --kind reminder --number … --issued …'.")
    else:
        console.print(f"Công văn đôn đốc số {letter['number']} ngày "
                      f"{fmt_date(date.fromisoformat(letter['issued_on']))} ({letter['units']} đơn vị).")


@reminders_app.command("log")
def reminders_log(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    unit: str = typer.Option(None, "--unit", help="Mã hoặc tên đơn vị."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Nhật ký đôn đốc của một kỳ: đợt nào đã gửi cho ai, lúc nào, lỗi gì."""
    rows = service.log(get_app(), cycle, unit)
    if as_json:
        print_json(rows)
        return
    table(f"Nhật ký đôn đốc kỳ {cycle} ({len(rows)})", ["Đơn vị", "Đợt", "Kênh", "Trạng thái", "Lần", "Người nhận", "Lỗi"],
          [[r["unit_name"], r["stage"], CHANNEL_LABELS[r["channel"]], r["status_label"], r["attempts"],
            ", ".join(r["recipients"]), r["last_error"] or ""] for r in rows])


@reminders_app.command("requeue")
def reminders_requeue(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    unit: str = typer.Option(None, "--unit", help="Chỉ đơn vị này."),
    stage: str = typer.Option(None, "--stage", help="Chỉ đợt nhắc này."),
) -> None:
    """Cho gửi lại các thư 'chưa xác nhận' (lần gửi bị gián đoạn) sau khi đã kiểm tra là đơn vị chưa nhận."""
    with actor():
        n = service.requeue(get_app(), cycle, unit=unit, stage=stage)
    console.print(f"Đã đưa {n} thư, tin nhắn chưa xác nhận vào hàng đợi; lần chạy sau sẽ gửi lại." if n
                  else "Không có thư, tin nhắn nào đang ở trạng thái chưa xác nhận.")


def cycle_policy_command(
    cycle_id: str = typer.Argument(..., help="Mã kỳ."),
    stage: list[str] = typer.Option([], "--stage", help="Đợt nhắc MÃ:ĐỘ_LỆCH[:escalate], ví dụ truoc-3:-3 hoặc "
                                    "sau-7:7:escalate (ngày làm việc so với hạn); ghi lại toàn bộ danh sách đợt."),
    hour: int = typer.Option(None, "--hour", help="Giờ gửi nhắc (giờ Việt Nam)."),
    reset: bool = typer.Option(False, "--reset", help="Trở về chính sách mặc định của luồng báo cáo."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Xem hoặc điều chỉnh chính sách đôn đốc của một kỳ (các đợt nhắc, giờ gửi)."""
    with actor():
        view = cycle_service.reminder_policy(get_app(), cycle_id, PolicyChange.of(stages=stage, hour=hour, reset=reset))
    policy, deadline, days = view["policy"], view["deadline"], view["days"]
    if as_json:
        print_json(dict(cycle=cycle_id, hour=policy.hour, deadline=deadline.isoformat() if deadline else None,
                        stages=[dict(id=s.id, offset=s.offset, escalate=s.escalate, label=s.label,
                                     due_on=s.due_on.isoformat()) for s in days] if days
                        else [s.model_dump() for s in policy.stages]))
        return
    console.print(f"Chính sách đôn đốc kỳ {cycle_id}: gửi lúc {policy.hour:02d}:00 các ngày làm việc"
                  + (f"; hạn nộp {fmt_date(deadline)}" if deadline else "; kỳ chưa có hạn nộp"))
    table("Các đợt nhắc", ["Mã", "Độ lệch (ngày làm việc)", "Nội dung", "Ngày gửi"],
          [[s.id, f"{s.offset:+d}", s.label, fmt_date(s.due_on)] for s in days] if days
          else [[s.id, f"{s.offset:+d}", stage_label(s.offset, s.escalate), ""] for s in policy.stages])


def register(app: typer.Typer) -> None:
    app.add_typer(contacts_app, name="contacts")
    app.command("remind")(remind)
    app.add_typer(reminders_app, name="reminders")
    cycle_app.command("policy")(cycle_policy_command)
