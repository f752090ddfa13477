"""dvtracker tick / serve / server / demo: the flows, run by hand or on schedule."""

from __future__ import annotations

import typer

from dvtracker.cli.common import console, to_date
from dvtracker.prefect_local import apply_prefect_env, ensure_server, stop_server
from models.errors import UserError
from services.outputs import file_server_in_background
from wiring.app import init_database
from wiring.settings import get_settings

server_app = typer.Typer(help="Máy chủ Prefect cục bộ (giao diện theo dõi).", no_args_is_help=True)


def _prefect_ready() -> str:
    settings = get_settings()
    apply_prefect_env(settings)
    api = ensure_server(settings)
    return api.removesuffix("/api")


def tick(
    as_of: str = typer.Option(None, "--as-of", help="Ngày cần chạy (mặc định: hôm nay); ngày trong quá khứ để chạy lại."),
    cycle: str = typer.Option(None, "--cycle", help="Chỉ một kỳ (mặc định: mọi kỳ đang mở)."),
) -> None:
    """Chạy bước hằng ngày (flow daily-tick) cho một ngày."""
    day = to_date(as_of, "--as-of")
    ui = _prefect_ready()
    from flows.daily_tick import daily_tick

    result = daily_tick(as_of=day, cycle_id=cycle)
    if "skipped" in result:
        console.print(f"Ngày {result['day']} là ngày nghỉ ({result['skipped']}): không làm gì.")
        return
    for cid, r in result["cycles"].items():
        console.print(f"{cid}: {r['actual']}/{r['expected']} đã báo cáo, {r['missing']} chưa báo cáo quá hạn; "
                      f"đã gửi {r['reminders_sent']} nhắc nhở, lỗi {r['reminders_failed']}"
                      + ("; đã đủ điều kiện tổng hợp" if r["quorum_reached"] else ""))
    console.print(f"Xem trên giao diện Prefect: {ui}/runs")


def _collector(settings) -> str:
    from models.streams import load_calendar

    return load_calendar(settings.calendar_file).collector.id


def serve(only: list[str] = typer.Option([], "--only",
                                         help="Chỉ phục vụ deployment của các flow này (vd. compile-cycle).")) -> None:
    """Khởi động máy chủ Prefect cục bộ (nếu chưa cấu hình), máy chủ tệp đã xuất (127.0.0.1) và phục vụ các
    deployment của prefect.yaml."""
    settings = get_settings()
    init_database(settings)
    ui = _prefect_ready()
    try:
        file_server_in_background(settings)
        console.print(f"Các tệp đã xuất: {settings.files_url}/", markup=False)
    except UserError as exc:  # the deployments are served all the same; the summary keeps its paths
        console.print(f"Không mở máy chủ tệp: {exc.message}", markup=False)
    console.print(f"Giao diện Prefect: {ui} — lịch chạy: {ui}/deployments. Nhấn Ctrl+C để dừng.")
    from flows.deployments import serve_project

    serve_project(_collector(settings), only or None)


def deploy(
    inbox_host: str = typer.Option("", "--inbox-host", envvar="DVTRACKER_INBOX_HOST",
                                   help="Máy giữ hộp thư đến: hàng đợi intake-<máy> (mặc định: máy này)."),
) -> None:
    """Đăng ký các deployment của prefect.yaml lên máy chủ Prefect (PREFECT_API_URL) cho đơn vị thu thập của thư
    mục dữ liệu: tên deployment, work pool dvtracker-<mã>, bộ kích hoạt tổng hợp đều theo mã đơn vị thu thập."""
    import socket

    from flows.deployments import deploy_project

    settings = get_settings()
    collector = _collector(settings)
    host = inbox_host or socket.gethostname()
    result = deploy_project(collector, host)
    if result.returncode != 0:
        raise UserError("prefect deploy --all không thành công:\n" + (result.stdout + result.stderr)[-4000:])
    console.print(f"Đã đăng ký các deployment của '{collector}' (work pool dvtracker-{collector}, hộp thư đến trên "
                  f"máy {host}, hàng đợi intake-{host}).", markup=False)


def demo(collector: str = typer.Option(None, "--collector", help="Đơn vị thu thập cấp tỉnh (thư mục trong "
                                        "data/provinces/, ví dụ quang-ninh); mặc định: Bộ Nội vụ.")) -> None:
    """Chạy thử trọn một kỳ báo cáo mẫu (dữ liệu mẫu, thư mục var/demo) qua các flow trên Prefect."""
    from dvtracker.demo import run_demo

    run_demo(console, collector)


@server_app.command("start")
def server_start() -> None:
    """Khởi động máy chủ Prefect cục bộ (dữ liệu riêng trong var/prefect)."""
    console.print(f"Máy chủ Prefect đang chạy: {_prefect_ready()}")


@server_app.command("stop")
def server_stop() -> None:
    """Dừng máy chủ Prefect cục bộ do dvtracker khởi động."""
    stopped = stop_server(get_settings())
    console.print("Đã dừng máy chủ Prefect cục bộ." if stopped else "Không có máy chủ Prefect cục bộ nào do dvtracker khởi động.")


def register(app: typer.Typer) -> None:
    app.command("tick")(tick)
    app.command("serve")(serve)
    app.command("deploy")(deploy)
    app.command("demo")(demo)
    app.add_typer(server_app, name="server")
