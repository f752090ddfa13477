"""Compile a cycle into three Word files, each with one reader — the draft to be signed (only the
report), "Tư liệu tổng hợp" (the units' words and figures, for the drafter) and "Cần kiểm tra"
(every finding and what changed) — with the Excel annex and a summary (Markdown).

Each compilation whose inputs differ from the last one is a new version (v1 at quorum, v2 after
late reports, ...), written to ``exports/<cycle>/v<N>/`` and recorded with what changed. With
the same inputs nothing is written and the last version is returned: compiling is idempotent.

The draft's own data is a file the coordinator edits, ``exports/<cycle>/draft.yaml``: the
exemplary units per section, the year's guidance the opening cites, and the national figures
entered from outside sources with their source (``models.national``); the first compilation
writes an empty one to fill in.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from sqlmodel import Session, col, select

from models.audit import audit
from models.blobs import read_blob, store_blob
from models.catalogue import Indicator
from models.checks import Finding, exemplary_units, run_checks
from models.compilation import Compilation, build_compilation
from models.compilation_summary import diff_summaries, inputs_hash, summarise
from models.cycles import get_cycle
from models.db import insert_once
from models.errors import UserError
from models.footnote import Footnote, build_footnote
from models.national import NationalFigure, parse_national
from models.streams import Stream
from models.tables import CompilationRow
from tasks import outputs
from tasks.annex import write_annex
from tasks.documents import write_materials, write_report, write_review
from tasks.summary import summary_markdown
from wiring.app import App

DRAFT_FILE = "draft.yaml"


@dataclass
class CompilationResult:
    cycle_id: str
    version: int
    created: bool  # False: the inputs had not changed since this version, nothing was written
    as_of: date
    out_dir: Path
    files: dict[str, Path]  # docx, xlsx, md
    markdown: str
    footnote: str
    findings: list[Finding]
    changes: dict = field(default_factory=dict)  # vs the previous version; {} for v1

    def to_dict(self) -> dict:
        return dict(cycle=self.cycle_id, version=self.version, created=self.created, as_of=self.as_of.isoformat(),
                    out_dir=str(self.out_dir), files={k: str(v) for k, v in self.files.items()},
                    footnote=self.footnote, findings=[f.to_dict() for f in self.findings], changes=self.changes)


def draft_file(app: App, cycle_id: str) -> Path:
    return app.settings.exports_dir / cycle_id / DRAFT_FILE


# The files of a version: kind -> (name after "<cycle>-v<N>", what the summary calls it).
OUTPUTS = {
    "docx": (".docx", "Dự thảo báo cáo (để trình ký)"),
    "materials": ("-tu-lieu-tong-hop.docx", "Tư liệu tổng hợp (cho người soạn thảo)"),
    "review": ("-can-kiem-tra.docx", "Cần kiểm tra"),
    "xlsx": (".xlsx", "Phụ lục số liệu (Excel)"),
    "md": (".md", "Tóm tắt (Markdown)"),
}


@dataclass(frozen=True)
class DraftData:
    """What the drafter gives the draft, from draft.yaml."""

    exemplary: dict[str, list[str]] = field(default_factory=dict)
    guidance: str = ""  # "Công văn số 1432/BNV-CTTN ngày 03/4/2023"
    national: tuple[NationalFigure, ...] = ()

    def digest(self) -> dict:
        return dict(guidance=self.guidance, national=[f.to_dict() for f in self.national])


def _load_draft(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise UserError(f"Tệp {path} không phải văn bản mã UTF-8: hãy lưu lại với bảng mã UTF-8.") from None
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"Không đọc được tệp dữ liệu dự thảo {path}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def read_draft(path: Path, stream: Stream, catalogue: Sequence[Indicator]) -> DraftData:
    data = _load_draft(path)
    guidance = data.get("guidance") or ""
    if not isinstance(guidance, str):
        raise UserError(f"{path}: 'guidance' là một dòng, ví dụ  Công văn số 1432/BNV-CTTN ngày 03/4/2023.")
    national = parse_national(data.get("national"), path=str(path), sections={s.id for s in stream.sections},
                              indicators={i.id: (i.label, i.unit, i.section) for i in catalogue})
    return DraftData(read_exemplary(path, stream), guidance.strip(), tuple(national))


def read_exemplary(path: Path, stream: Stream) -> dict[str, list[str]]:
    """``exemplary: {section id: [unit names]}`` from the draft's data file; {} if there is none."""
    data = _load_draft(path)
    listed = data.get("exemplary") if isinstance(data, dict) else None
    if listed is None:
        return {}
    if not isinstance(listed, dict):
        raise UserError(f"{path}: 'exemplary' phải là danh sách theo mục, ví dụ  II.1: [Bộ Tài chính, Cà Mau].")
    sections = {s.id for s in stream.sections}
    out = {}
    for section, names in listed.items():
        section = str(section)
        if section not in sections:
            raise UserError(f"{path}: mục '{section}' không có trong đề cương báo cáo "
                            f"(các mục: {', '.join(s.id for s in stream.sections)}).")
        if names is None:
            continue
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise UserError(f"{path}: mục '{section}' phải là danh sách tên đơn vị.")
        out[section] = [n.strip() for n in names]
    return out


def write_draft_template(path: Path, stream: Stream) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Dữ liệu của bản dự thảo tổng hợp, do người soạn thảo điền.",
             "# exemplary: đơn vị được nêu tiêu biểu ở từng mục (tên hoặc mã đơn vị). Đơn vị chưa báo cáo",
             "# hoặc nêu hai lần sẽ được liệt kê ở phần \"Cần kiểm tra\".",
             "# Ví dụ:  \"II.1\": [Bộ Tài chính, Cà Mau, Cao Bằng]", "exemplary:"]
    lines += [f'  "{s.id}": []    # {s.heading}' for s in stream.sections]
    lines += ["# guidance: văn bản hướng dẫn của năm mà phần mở đầu viện dẫn,",
              "#   ví dụ  guidance: Công văn số 1432/BNV-CTTN ngày 03/4/2023",
              "# national: số liệu toàn quốc từ nguồn khác (báo cáo của Ban Dân vận Trung ương, Văn phòng Chính phủ,",
              "#   Cổng Dịch vụ công quốc gia, Thanh tra Chính phủ...), ghi chú nguồn ở chân trang. Ví dụ:",
              "#   - label: thủ tục hành chính trên Cổng Dịch vụ công quốc gia",
              "#     value: \"6.348\"            # số có dấu chấm hàng nghìn phải trong ngoặc kép",
              "#     unit: TTHC",
              "#     section: III.4",
              "#     source: Cổng Dịch vụ công quốc gia, số liệu ngày 22/12/2023",
              "#     parts: {thực hiện tại bộ, cơ quan Trung ương: \"3.827\", thực hiện tại địa phương: \"1.337\"}",
              "#   (indicator: mã chỉ tiêu trong danh mục thay cho label, để so với tổng của các đơn vị)",
              "national: []"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def compile_cycle(app: App, cycle_id: str, *, as_of: date, out_dir: Path | None = None, trigger: str = "manual",
                  exemplary: Mapping[str, Sequence[str]] | None = None,
                  on_step: Callable[[str], None] | None = None, draft: DraftData | None = None) -> CompilationResult:
    """Compile ``cycle_id`` with the reports received by ``as_of``. ``exemplary`` (section id ->
    unit names) overrides the cycle's draft.yaml. ``on_step`` is told each step (for a progress bar).

    The files are written to a folder of their own, kept in the database with the version row
    (one transaction), and only then moved into place: of two compilations at once, the one
    that stored the version places its files, the other leaves nothing behind."""
    step = on_step or (lambda _message: None)
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        stream = app.config.stream(cycle.stream_id)
        catalogue = app.catalogue(stream.id)
        if draft is None:
            write_draft_template(draft_file(app, cycle_id), stream)
            draft = read_draft(draft_file(app, cycle_id), stream, catalogue)
        if exemplary is not None:
            draft = DraftData({str(k): list(v) for k, v in exemplary.items()}, draft.guidance, draft.national)
        listed = {str(k): list(v) for k, v in draft.exemplary.items() if v}

        step("Đọc dữ liệu các báo cáo")
        comp = build_compilation(session, cycle, app.roster, app.calendar, stream, catalogue, as_of)
        step("Kiểm tra số liệu")
        findings = run_checks(comp, app.roster, listed, draft.national)
        footnote = build_footnote(comp.units, app.roster.groups)
        digest = inputs_hash(comp, listed, draft.digest())
        last = latest_version(session, cycle_id)
        if last is not None and last.inputs_hash == digest:
            return _unchanged(app, session, last)

        version = last.version + 1 if last else 1
        summary = summarise(comp, findings, footnote)
        changes = diff_summaries(last.summary if last else None, summary, last.version if last else None)
        folder = Path(out_dir) if out_dir else app.settings.exports_dir / cycle_id / f"v{version}"
        files = {kind: folder / f"{cycle_id}-v{version}{suffix}" for kind, (suffix, _) in OUTPUTS.items()}
        staging = folder.parent / f".{folder.name}-{uuid.uuid4().hex[:8]}.tmp"
        staged = {kind: staging / path.name for kind, path in files.items()}
        try:
            markdown = write_outputs(staged, files, comp, app, version=version, footnote=footnote, findings=findings,
                                     changes=changes, draft=draft, listed=listed, step=step)
            hashes = {kind: store_blob(session, path.read_bytes(), files[kind].name) for kind, path in staged.items()}
            summary.update(changes=changes, markdown=markdown, files={k: str(v) for k, v in files.items()},
                           file_sha256=hashes)
            row = CompilationRow(cycle_id=cycle_id, version=version, as_of=as_of, inputs_hash=digest,
                                 trigger=trigger, summary=summary, out_dir=str(folder))
            stored, other = insert_once(session, row, select(CompilationRow).where(
                CompilationRow.cycle_id == cycle_id, CompilationRow.version == version))
            if not stored:
                # Another run stored this version meanwhile: the same compilation (a retried run), or not.
                if other is not None and other.inputs_hash == digest:
                    shutil.rmtree(staging, ignore_errors=True)
                    return _unchanged(app, session, other)
                raise UserError(f"Kỳ '{cycle_id}' vừa được một phiên khác tổng hợp thành bản {version}; "
                                "hãy chạy lại.")
            for kind, path in staged.items():  # the version's files, fetched from any machine (dvtracker outputs)
                outputs.record(session, app.settings, files[kind], path.read_bytes(), cycle_id=cycle_id,
                               kind="compilation", version=version)
            audit(session, "compile", "compilation", f"{cycle_id}:v{version}", trigger=trigger, as_of=as_of,
                  inputs_hash=digest, findings=len(findings), out_dir=str(folder))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    # Committed: the version is this run's, its files go into place.
    _place(staging, folder)
    return CompilationResult(cycle_id, version, True, as_of, folder, files, markdown, footnote.text, findings, changes)


def write_outputs(staged: dict[str, Path], files: dict[str, Path], comp: Compilation, app: App, *, version: int,
                  footnote: Footnote, findings: list[Finding], changes: dict, draft: DraftData,
                  listed: dict[str, list[str]], step: Callable[[str], None]) -> str:
    """The one place a version's files are written (into ``staged``, named as ``files`` will be
    once placed); returns the Markdown summary, which links them all."""
    collector = app.config.collector
    names = _exemplary_names(comp, app, listed)
    step("Viết dự thảo báo cáo (Word)")
    write_report(staged["docx"], comp, collector=collector, footnote=footnote, exemplary=names, version=version,
                 guidance=draft.guidance, national=list(draft.national))
    step("Viết tư liệu tổng hợp và phần cần kiểm tra (Word)")
    write_materials(staged["materials"], comp, collector=collector, exemplary=names, version=version)
    write_review(staged["review"], comp, collector=collector, findings=findings, version=version, changes=changes,
                 national=list(draft.national))
    step("Viết phụ lục (Excel)")
    write_annex(staged["xlsx"], comp, findings)
    markdown = summary_markdown(comp, version=version, footnote=footnote, findings=findings, changes=changes,
                                files={OUTPUTS[k][1]: p for k, p in files.items()})
    staged["md"].write_text(markdown, encoding="utf-8")
    return markdown


def latest_version(session: Session, cycle_id: str) -> CompilationRow | None:
    return session.exec(select(CompilationRow).where(CompilationRow.cycle_id == cycle_id)
                        .order_by(col(CompilationRow.version).desc())).first()


def _place(staging: Path, folder: Path) -> None:
    """Move the staged files into ``folder`` (renamed whole when it does not exist yet)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging.rename(folder)
        return
    except OSError:  # the folder exists (an --out folder, or files put back by another run)
        pass
    folder.mkdir(parents=True, exist_ok=True)
    for path in staging.iterdir():
        os.replace(path, folder / path.name)
    staging.rmdir()


def _materialise(session: Session, row: CompilationRow) -> None:
    """Put back, from the database, any file of a recorded version that is missing or differs on
    this machine's disk (a run that stopped between recording the version and placing its files)."""
    files, hashes = row.summary.get("files", {}), row.summary.get("file_sha256", {})
    for kind, name in files.items():
        path, sha = Path(name), hashes.get(kind)
        if sha is None or (path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha):
            continue
        content = read_blob(session, sha)
        if content is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        spare = path.with_name(f".{path.name}-{uuid.uuid4().hex[:8]}.tmp")
        spare.write_bytes(content)
        os.replace(spare, path)


def _exemplary_names(comp: Compilation, app: App, exemplary: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Per section, the exemplary units that reported, as the footnote writes their names."""
    units = comp.units.set_index("unit_id")
    out = {}
    for section, names in exemplary.items():
        ids = exemplary_units(comp, app.roster, names)
        out[section] = {
            group: [units.loc[u, "footnote_name"] for u in ids if units.loc[u, "group"] == group]
            for group in app.roster.groups
        }
    return out


def _unchanged(app: App, session: Session, row: CompilationRow) -> CompilationResult:
    _materialise(session, row)
    s = row.summary
    return CompilationResult(
        cycle_id=row.cycle_id, version=row.version, created=False, as_of=row.as_of, out_dir=Path(row.out_dir or ""),
        files={k: Path(v) for k, v in s.get("files", {}).items()}, markdown=s.get("markdown", ""),
        footnote=s.get("footnote", ""), findings=[Finding(**f) for f in s.get("findings", [])],
        changes=s.get("changes", {}))


def latest_compilation(app: App, cycle_id: str) -> CompilationRow | None:
    with app.session() as session:
        return latest_version(session, cycle_id)
