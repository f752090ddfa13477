"""Receiving reports: files given on the command line, the inbox folder, paper records.

Every path ends in ``ingest``: the original bytes are kept (BlobRow, by SHA-256) before anything
else, the report is validated, stored as a new version by ``store_submission``, and what became
of it is written as an IntakeRow, whatever the outcome, all in one transaction; the reading and
storing in a savepoint of it, so that a bad file never rolls back another, nor its own bytes and
refusal. The inbox commits its files in groups (a savepoint each); a file is moved only after its
outcome is committed, so a crash leaves it in the inbox and the next sweep reads it again (as a
duplicate when its group was committed). Two sweeps of one inbox never run at once: a sweep holds
a lock on the inbox (released by the operating system if the process dies), and the second one
waits for it, then finds the files already moved.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path

import yaml
from filelock import FileLock
from sqlalchemy import insert
from sqlmodel import Session, select

from models import vnformat
from models.blobs import store_blob
from models.clock import vn_date
from models.cycles import get_cycle
from models.db import DB_ERRORS
from models.errors import UserError
from models.intake import IntakeOutcome
from models.limits import check_values
from models.report_form import Problem, form_cycle, located, read_form
from models.report_text import Candidate
from models.reports import ReportData, StoreResult, store_submission
from models.reviews import add_proposals
from models.tables import CycleRow, IntakeRow, RequestRow
from models.text import printable
from tasks.report_package import document_kind, prose_form, read_package
from tasks.workbook import OLE_MAGIC, is_workbook, read_workbook
from wiring.app import App

MAX_FILE_BYTES = 20 * 1024 * 1024  # the default of settings.max_file_mb
MAX_TEXT_NODES = 100_000
MAX_DEPTH = 20  # a form is three levels deep
MAX_FLOW_DEPTH = 100  # YAML brackets, counted before parsing
MAX_BRACKETS = 40_000  # more YAML brackets than any form has: not counted one by one
NAME_BYTES = 255 - len(".reason.txt")  # a moved file's name, and its reason file's, fit the file system
_SKIPPED_PREFIXES = (".", "~$")
_SKIPPED_SUFFIXES = (".tmp", ".part", ".crdownload")

Progress = Callable[["IntakeOutcome"], None]


# --- the one path every report takes ------------------------------------------------------------
def ingest(app: App, content: bytes, filename: str, *, source: str, source_ref: str | None = None,
           received_at: datetime | None = None, cycle_id: str | None = None,
           session: Session | None = None) -> IntakeOutcome:
    """Keep the bytes, read and validate the report, store it; one outcome per call, committed
    with everything else of the file in one transaction (``session``: a transaction of several
    files, which its owner commits; this file's work is then a savepoint of it).

    The bytes are written first; reading and storing run in a savepoint, so that whatever goes
    wrong there rolls back the file's report only, and its bytes and its refusal are committed."""
    received_at = received_at or app.clock.now()
    filename = printable(filename)  # names come from other systems: no NUL, no bytes that are not UTF-8
    source_ref = printable(source_ref) if source_ref else filename
    with _transaction(app, session) as tx:
        sha = store_blob(tx, content, filename, savepoint=False)
        outcome = IntakeOutcome(source, source_ref, "rejected", blob_sha256=sha, received_on=vn_date(received_at))
        try:
            with tx.begin_nested():
                return _read_and_store(app, tx, content, filename, outcome, received_at, cycle_id)
        except DB_ERRORS:
            raise  # the database is away: nothing was decided about this file, the next run reads it again
        except _Refused as refused:  # the report was read, and refused as it was being stored
            outcome.outcome, outcome.errors = "rejected", refused.errors
        except Exception as exc:  # whatever else went wrong with this file, it alone is refused
            outcome.outcome, outcome.errors = "rejected", [Problem(unexpected(exc), filename)]
        outcome.intake_id = _intake_row(tx, outcome, received_at)
        return outcome


@contextmanager
def _transaction(app: App, session: Session | None) -> Iterator[Session]:
    """``session`` when a caller owns the transaction (a group of files, begun by ``_group``), else a
    new one for this file, begun by a savepoint (on SQLite: with the write lock, see ``_group``)."""
    if session is not None:
        yield session
        return
    with _group(app) as own:
        yield own


@contextmanager
def _group(app: App) -> Iterator[Session]:
    """One transaction, committed at the end, for one file or a group of them. It begins with a
    savepoint, so that on SQLite it begins with BEGIN IMMEDIATE (``models.db._sqlite_savepoint``):
    a first write in a deferred transaction fails at once, never waiting, when another process
    wrote meanwhile."""
    with app.session() as session, session.begin_nested():
        yield session


class _Refused(Exception):
    """A report refused while it was being stored (unknown unit, a text no column takes...)."""

    def __init__(self, errors: list[Problem]):
        self.errors = errors


def unexpected(exc: BaseException) -> str:
    """The reason given for a file that broke a reader in a way no rule foresaw."""
    detail = printable(f"{type(exc).__name__}: {exc}")[:300]
    return (f"không xử lý được tệp ({detail}). Tệp gốc đã được lưu trong cơ sở dữ liệu; "
            "hãy kiểm tra tệp hoặc báo cán bộ kỹ thuật.")


def _read_and_store(app: App, session: Session, content: bytes, filename: str, outcome: IntakeOutcome,
                    received_at: datetime, cycle_id: str | None) -> IntakeOutcome:
    limit = app.settings.max_file_bytes
    prose = None
    if len(content) <= limit and content.strip() and document_kind(content, filename):
        # A prose report (.docx, .pdf) or an edXML package: read into the same form as the others.
        package = read_package(content, filename, max_bytes=limit,
                               read_form_file=lambda data, name: parse_content(data, name, max_bytes=limit))
        errors, outcome.warnings = package.errors, list(package.warnings)
        if not errors:
            prose = prose_form(app, package, filename=filename, default_cycle=cycle_id,
                               received_on=vn_date(received_at))
            form, locations, errors, outcome.warnings = prose.form, prose.locations, prose.errors, prose.warnings
            outcome.document = prose.info or None
    else:
        form, locations, errors = parse_content(content, filename, max_bytes=limit)
    cycle = None
    if not errors:
        cycle, errors = _cycle_of(session, form, cycle_id if prose is None else None, filename, locations)
        outcome.cycle_id = cycle.id if cycle else form_cycle(form) or cycle_id or _cycle_by_request(session, form)
    if not errors:
        stream = app.config.stream(cycle.stream_id)
        result = read_form(form, sections=stream.sections, indicators=app.catalogue(cycle.stream_id),
                           file=filename, locations=locations)
        report, errors = result.report, result.errors
        outcome.warnings = outcome.warnings + result.warnings
    if not errors:
        if prose is not None:
            report.figures_pending = prose.figures_pending
        return _store(app, session, cycle, report, outcome, received_at, locations, filename,
                      prose.candidates if prose is not None else (), in_savepoint=True)
    outcome.errors = errors
    outcome.intake_id = _intake_row(session, outcome, received_at)
    return outcome


def keep_blob(app: App, content: bytes, filename: str) -> str:
    with app.session() as session:
        return store_blob(session, content, filename)


def parse_content(content: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES
                  ) -> tuple[dict | None, dict, list[Problem]]:
    """(form, cell of each field, errors) for a workbook, a JSON or a YAML file."""
    suffix = Path(filename).suffix.lower()

    def fail(message: str, field: str | None = None):
        return None, {}, [Problem(message, filename, field=field)]

    if len(content) > max_bytes:
        return fail(too_large(len(content), max_bytes))
    if not content.strip():
        return fail("tệp rỗng.")
    if suffix in (".xlsx", ".xlsm") or (suffix not in (".json", ".yaml", ".yml", ".docx") and is_workbook(content)):
        wb = read_workbook(content, filename)
        return wb.form, wb.locations, wb.errors
    if suffix == ".doc":
        return fail("tệp Word 97-2003 (.doc) không được hỗ trợ: hãy lưu lại dạng .docx hoặc PDF.")
    if suffix == ".xls" or content.startswith(OLE_MAGIC):
        return fail("tệp Excel 97-2003 (.xls) không được hỗ trợ: hãy lưu lại dạng .xlsx theo mẫu.")
    if suffix not in (".json", ".yaml", ".yml"):
        return fail(f"định dạng tệp '{suffix or 'không có phần mở rộng'}' không được hỗ trợ "
                    "(cần văn bản .docx hoặc .pdf, gói edXML, phụ lục .xlsx theo mẫu, .json hoặc .yaml).")
    try:
        text = _decode(content)
    except ValueError as exc:
        return fail(str(exc))
    kind = "JSON" if suffix == ".json" else "YAML"
    try:
        if kind == "JSON":
            data = json.loads(text)
        elif _flow_depth(text) > MAX_FLOW_DEPTH:  # PyYAML takes quadratic time over deep [[[ ... ]]]
            raise RecursionError
        else:
            data = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as written: "22.153", "03"
        return _checked(data, kind == "YAML"), {}, []
    except json.JSONDecodeError as exc:
        return fail(f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}.")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        return fail(f"YAML không hợp lệ{where}: {getattr(exc, 'problem', None) or exc}.")
    except RecursionError:
        return fail(f"tệp {kind} lồng nhau quá sâu: không phải mẫu báo cáo.")
    except _BadValue as exc:
        return fail(exc.message, exc.field)
    except ValueError as exc:  # e.g. an integer of thousands of digits
        return fail(f"{kind} không hợp lệ: {exc}.")


def _flow_depth(text: str) -> int:
    """How deep YAML brackets nest (counting those in quoted text too: a bound, not a parse)."""
    brackets = re.sub(r"[^\[\]{}]+", "", text)
    if len(brackets) > MAX_BRACKETS:
        return len(brackets)
    depth = deepest = 0
    for ch in brackets:
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def too_large(size: int, limit: int) -> str:
    return f"tệp quá lớn ({size / 1_048_576:.0f} MB, tối đa {limit / 1_048_576:.0f} MB): tệp không được đọc."


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"tệp không phải văn bản mã UTF-8 (byte 0x{content[exc.start]:02x} ở vị trí {exc.start}; có thể tệp được "
            "lưu bằng bảng mã Windows-1258/TCVN3): hãy lưu lại với bảng mã UTF-8.") from None
    if "\x00" in text:
        raise ValueError("tệp chứa ký tự NUL: không phải tệp văn bản JSON/YAML.")
    return text


class _BadValue(Exception):
    def __init__(self, message: str, field: str | None = None):
        self.message, self.field = message, field


def _checked(data, yaml_nulls: bool):
    """The parsed JSON/YAML, refused when it is too deep or too large (YAML aliases can make a
    small file expand without end), or holds text no database stores (NUL, lone surrogates) or a
    formula (as a workbook cell would). YAML nulls become None."""
    budget = [0]

    def walk(node, path: str, depth: int):
        budget[0] += 1
        if budget[0] > MAX_TEXT_NODES:
            raise _BadValue(f"tệp có hơn {MAX_TEXT_NODES:,} mục".replace(",", ".") + " (với YAML: có thể do tham "
                            "chiếu YAML alias lồng nhau): không phải mẫu báo cáo.")
        if depth > MAX_DEPTH:
            raise _BadValue("nội dung lồng nhau quá sâu: không phải mẫu báo cáo.", path)
        if isinstance(node, dict):
            return {_checked_text(k, path): walk(v, f"{path}.{k}" if path else str(k), depth + 1)
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node)]
        if isinstance(node, str):
            node = _checked_text(node, path)
            return None if yaml_nulls and node in ("~", "null", "Null", "NULL") else node
        return node

    return walk(data, "", 0)


def _checked_text(value, path: str):
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        raise _BadValue("chứa ký tự NUL (\\u0000): không phải văn bản.", path or None)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _BadValue("chứa mã ký tự không hợp lệ (nửa cặp UTF-16).", path or None) from None
    if value.lstrip().startswith("="):
        raise _BadValue(f"giá trị '{printable(value[:40])}' là công thức: hãy nhập giá trị, không dùng công thức.",
                        path or None)
    return value


def _cycle_by_request(session: Session, form: object) -> str | None:
    """The cycle a form was meant for when it names no cycle but the công văn it answers: the one
    cycle that has a request with that number (none when no cycle, or several, have it)."""
    number = form.get("answers_request") if isinstance(form, dict) else None
    if not isinstance(number, str) or not number.strip():
        return None
    ids = set(session.exec(select(RequestRow.cycle_id).where(RequestRow.number == number.strip())).all())
    return ids.pop() if len(ids) == 1 else None


def _cycle_of(session: Session, form: object, default: str | None, filename: str,
              locations: dict) -> tuple[CycleRow | None, list[Problem]]:
    def problem(message: str) -> list[Problem]:
        return [located(message, filename, locations, "cycle")]

    if not isinstance(form, dict):
        return None, [Problem("nội dung phải là một bảng khoá - giá trị (JSON object / YAML mapping).", filename)]
    named = form_cycle(form)
    if named and default and named != default:
        return None, problem(f"báo cáo ghi kỳ '{named}', không phải kỳ '{default}' đang tiếp nhận.")
    cycle_id = named or default
    if not cycle_id:
        return None, problem("thiếu mã kỳ báo cáo.")
    try:
        cycle = get_cycle(session, cycle_id)
    except UserError as exc:
        return None, problem(exc.message)
    if cycle.status != "open":
        return cycle, problem(f"kỳ '{cycle.id}' đã đóng, không nhận thêm báo cáo.")
    return cycle, []


def _store(app: App, session: Session, cycle: CycleRow, report: ReportData, outcome: IntakeOutcome,
           received_at: datetime, locations: dict, filename: str | None,
           proposals: Sequence[Candidate] = (), in_savepoint: bool = False) -> IntakeOutcome:
    """Store the report and its outcome in a savepoint of ``session``: a refusal (UserError) rolls
    back what was written of the report, and the refusal is recorded instead. ``in_savepoint``: the
    caller's savepoint (``ingest``'s) is the one; the refusal is raised to it as ``_Refused``."""
    try:
        with nullcontext() if in_savepoint else session.begin_nested():
            result = store_submission(session, app.roster, cycle, report, received_at=received_at,
                                      source=outcome.source, source_ref=outcome.source_ref,
                                      blob_sha256=outcome.blob_sha256)
            if result.outcome == "accepted" and proposals:
                add_proposals(session, result.submission, proposals)
            _describe(outcome, cycle, result)
            outcome.figures_pending = result.submission.figures_pending
            outcome.intake_id = _intake_row(session, outcome, received_at)
        return outcome
    except UserError as exc:
        key = "sender" if exc.message.startswith("Đơn vị gửi") or (
            report.sender and f"'{report.sender}'" in exc.message) else "unit"
        errors = [located(exc.message, filename, locations, key)]
        if in_savepoint:
            raise _Refused(errors) from None
        outcome.outcome, outcome.errors = "rejected", errors
        outcome.intake_id = _intake_row(session, outcome, received_at)
        return outcome


def _describe(outcome: IntakeOutcome, cycle: CycleRow, result: StoreResult) -> None:
    sub = result.submission
    outcome.outcome = result.outcome
    outcome.cycle_id, outcome.unit_id = cycle.id, result.unit.id
    outcome.unit_name = result.unit.name_on(cycle.reference_date)
    outcome.sender_name = result.sender.name_on(sub.received_on) if result.sender.id != result.unit.id else None
    outcome.version, outcome.received_on, outcome.doc_number = sub.version, sub.received_on, sub.doc_number
    outcome.submission_id = sub.id


def _intake_row(session, outcome: IntakeOutcome, received_at: datetime) -> int:
    row = dict(
        received_at=received_at, source=outcome.source, source_ref=(outcome.source_ref or "")[-500:] or None,
        blob_sha256=outcome.blob_sha256, outcome=outcome.outcome, cycle_id=(outcome.cycle_id or "")[:80] or None,
        unit_id=outcome.unit_id, submission_id=outcome.submission_id,
        errors=[p.to_dict() for p in outcome.errors], warnings=[p.to_dict() for p in outcome.warnings],
    )
    check_values(IntakeRow, [row])  # a plain INSERT: its texts checked as a flush checks them
    session.flush()  # what the ORM holds of this file (its version) goes first
    return session.connection().execute(insert(IntakeRow).returning(IntakeRow.id), row).scalar_one()


def record_outcome(app: App, outcome: IntakeOutcome, received_at: datetime, session: Session | None = None) -> None:
    with _transaction(app, session) as tx:
        outcome.intake_id = _intake_row(tx, outcome, received_at)


# --- files, inbox, paper -------------------------------------------------------------------------
def submit_files(app: App, paths: Iterable[Path], *, received_at: datetime | None = None, source: str = "file",
                 cycle_id: str | None = None, progress: Progress | None = None) -> list[IntakeOutcome]:
    """Receive each file; one outcome per file, in order. A file that cannot be read is rejected."""
    outcomes = []
    for path in paths:
        outcome = _ingest_path(app, Path(path), source=source, source_ref=str(path), received_at=received_at,
                               cycle_id=cycle_id)
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes


def _ingest_path(app: App, path: Path, *, source: str, source_ref: str, received_at: datetime | None,
                 cycle_id: str | None, session: Session | None = None) -> IntakeOutcome:
    received_at = received_at or app.clock.now()
    limit = app.settings.max_file_bytes
    try:
        problem: str | None
        if source == "inbox" and path.is_symlink():
            problem = "là liên kết (symlink) đến tệp khác: không đọc; hãy đặt chính tệp báo cáo vào thư mục."
        elif (size := path.stat().st_size) > limit:
            problem = too_large(size, limit)
        else:
            with path.open("rb") as handle:
                content = handle.read(size + 1)
                if len(content) > size:  # still growing: read on, never beyond the limit
                    content += handle.read(limit + 1 - len(content))
            problem = too_large(len(content), limit) if len(content) > limit else None
    except OSError as exc:
        problem = f"không đọc được tệp: {getattr(exc, 'strerror', None) or exc}."
    if problem is None:
        return ingest(app, content, path.name, source=source, source_ref=source_ref, received_at=received_at,
                      cycle_id=cycle_id, session=session)
    outcome = IntakeOutcome(source, printable(source_ref), "rejected", received_on=vn_date(received_at),
                            errors=[Problem(problem, printable(path.name))])
    record_outcome(app, outcome, received_at, session)
    return outcome


def inbox_files(app: App) -> list[Path]:
    inbox = app.settings.inbox_dir
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if (p.is_symlink() or p.is_file())
                  and not p.name.startswith(_SKIPPED_PREFIXES) and not p.name.lower().endswith(_SKIPPED_SUFFIXES))


def sweep_inbox(app: App, *, received_at: datetime | None = None, cycle_id: str | None = None,
                progress: Progress | None = None, group: int | None = None) -> list[IntakeOutcome]:
    """Receive every file of the inbox, then move it to processed/ or rejected/ (with a reason file).

    Files are committed in groups of ``group`` (default ``settings.inbox_group``), one transaction
    a group and a savepoint a file, so that a bad file is refused alone; a group's files are moved
    only once the group is committed: a crash leaves them all in the inbox, read again next time.

    Writers should drop files by renaming them into the inbox (or use a name starting with '.' or
    ending in .part while copying): such names are left alone.
    """
    inbox = app.settings.inbox_dir
    processed, rejected = inbox / "processed", inbox / "rejected"
    for folder in (inbox, processed, rejected):
        folder.mkdir(parents=True, exist_ok=True)
    size = max(1, group or app.settings.inbox_group)
    outcomes = []
    with _inbox_lock(inbox):
        files, start = inbox_files(app), 0
        while start < len(files):
            received = _receive_group(app, files[start:start + size], received_at, cycle_id)
            start += len(received)
            for path, outcome, moment in received:
                _move_out(path, outcome, moment, processed, rejected)
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
    return outcomes


def _receive_group(app: App, paths: list[Path], received_at: datetime | None,
                   cycle_id: str | None) -> list[tuple[Path, IntakeOutcome, datetime]]:
    """Receive the first of ``paths`` in one transaction, each file in a savepoint of it, and return
    once committed. The group closes after ``settings.inbox_group_seconds`` even if files are left:
    on SQLite its transaction holds the write lock, which other writers wait for (busy_timeout)."""
    received: list[tuple[Path, IntakeOutcome, datetime]] = []
    started = time.monotonic()
    with _group(app) as session:
        for path in paths:
            moment = received_at or app.clock.now()
            outcome = _ingest_path(app, path, source="inbox", source_ref=path.name, received_at=moment,
                                   cycle_id=cycle_id, session=session)
            received.append((path, outcome, moment))
            if time.monotonic() - started > app.settings.inbox_group_seconds:
                break
    return received


def _move_out(path: Path, outcome: IntakeOutcome, moment: datetime, processed: Path, rejected: Path) -> None:
    """Move a file whose outcome is committed to processed/ or rejected/ (with its reason)."""
    target = _free_name(rejected if outcome.rejected else processed, path.name, outcome.blob_sha256)
    try:
        if outcome.rejected:
            Path(f"{target}.reason.txt").write_text(outcome.reason_text(moment), encoding="utf-8")
        os.replace(path, target)
        outcome.moved_to = printable(str(target))
    except FileNotFoundError:
        pass  # removed meanwhile
    except OSError as exc:  # the outcome is committed: the file waits, and is read again as a duplicate
        outcome.warnings.append(Problem(f"không chuyển được tệp ra khỏi thư mục inbox: {exc.strerror or exc}.",
                                        printable(path.name)))


@contextmanager
def _inbox_lock(inbox: Path) -> Iterator[None]:
    """Hold the inbox's lock for a whole sweep; a second sweep waits here. The lock file sits
    beside the inbox, which holds only what the units sent; the operating system releases the
    lock if the process dies."""
    with FileLock(inbox.parent / f".{inbox.name}.lock"):
        yield


def _free_name(folder: Path, name: str, sha: str | None) -> Path:
    """``name`` in ``folder``, or ``<stem>-<sha>[-n]<suffix>`` when taken; shortened so that the
    name and its reason file fit the file system (a Vietnamese name takes about twice its length)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    if len(os.fsencode(suffix)) > 16:
        stem, suffix = name, ""
    tag, n = "", 1
    while True:
        target = folder / (_shortened(stem, NAME_BYTES - len(os.fsencode(tag + suffix))) + tag + suffix)
        if not target.exists():
            return target
        tag = f"-{(sha or 'x')[:8]}" + (f"-{n}" if n > 1 else "")
        n += 1


def _shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` bytes of the file system's encoding, between two characters."""
    while len(os.fsencode(text)) > limit:
        text = text[:-1]
    return text


def record_paper(app: App, cycle_id: str, unit: str, number: str, doc_date: date | None,
                 received_at: datetime | None = None, *, sender: str | None = None) -> IntakeOutcome:
    """A report that came on paper or as a PDF without figures: its number and date only."""
    received_at = received_at or app.clock.now()
    ref = f"{number} ({vnformat.day(doc_date)})" if doc_date else number
    outcome = IntakeOutcome("record", ref, "rejected", received_on=vn_date(received_at))
    with app.session() as session:
        try:
            cycle = get_cycle(session, cycle_id)
        except UserError as exc:
            outcome.errors = [Problem(exc.message, field="cycle")]
            cycle = None
    if cycle is not None and cycle.status != "open":
        outcome.errors = [Problem(f"kỳ '{cycle.id}' đã đóng, không nhận thêm báo cáo.", field="cycle")]
    if outcome.errors:
        record_outcome(app, outcome, received_at)
        return outcome
    outcome.cycle_id = cycle.id
    report = ReportData(unit=unit, cycle_id=cycle.id, doc_number=number, doc_date=doc_date, sender=sender)
    with app.session() as session:
        return _store(app, session, cycle, report, outcome, received_at, {}, None)
