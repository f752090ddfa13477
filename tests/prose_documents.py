"""Real reports as units send them, made from the seeds' texts (tests/fixtures/seed_*.txt): a Word
document written with python-docx, the PDF LibreOffice prints from it, an edXML package built by
hand from the structure of QCVN 102:2016 (never with the code under test)."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from pathlib import Path

import docx

FIXTURES = Path(__file__).parent / "fixtures"
AN_GIANG, VPCP, QUANG_TRI = "seed_003_an_giang_529.txt", "seed_001_vpcp_qcdc_2023.txt", "seed_004_quang_tri_draft.txt"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def seed_lines(name: str) -> list[str]:
    """The seed's paragraphs: one a line, without the Markdown marks its extraction left."""
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("**", "").replace("*", "")
    return [line.strip() for line in text.splitlines() if line.strip()]


def write_docx(lines: list[str], path: Path, *, header: tuple[list[str], list[str]] | None = None) -> Path:
    """A Word document of ``lines``, one paragraph each; ``header``: the two columns of the header
    block (issuing body and number | motto and place and date), as a table the way Nghị định 30
    lays it out."""
    document = docx.Document()
    if header:
        table = document.add_table(rows=1, cols=2)
        for cell, column in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].text = column[0]
            for line in column[1:]:
                cell.add_paragraph(line)
    for line in lines:
        document.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def to_pdf(source: Path) -> Path:
    """The PDF LibreOffice makes of ``source`` (a profile of its own, so that runs never share one)."""
    profile = source.parent / f".lo-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(source.parent), str(source)], check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = source.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice did not convert {source}"
    return pdf


def edxml(*, organ_id: str, organ_name: str, code_number: str, code_notation: str, place: str, date: str,
          subject: str, attachments: list[tuple[str, str, bytes]], signer=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Phước"),
          due: str = "2024/05/31") -> bytes:
    """An edXML package; ``date`` and ``due`` as edXML writes them (yyyy/mm/dd)."""
    parts = "".join(
        f"<Attachment><ContentId>cid:{i}</ContentId><AttachmentName>{name}</AttachmentName>"
        f"<ContentType>{kind}</ContentType><edXML:ContentTransferEncoded>{base64.b64encode(data).decode()}"
        f"</edXML:ContentTransferEncoded></Attachment>"
        for i, (name, kind, data) in enumerate(attachments, start=1))
    references = "".join(f"<edXML:Reference><edXML:ContentId>cid:{i}</edXML:ContentId><edXML:AttachmentName>{name}"
                         f"</edXML:AttachmentName></edXML:Reference>" for i, (name, _k, _d) in enumerate(attachments, 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXML xmlns:edXML="{NS}">
 <edXML:edXMLEnvelope>
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>{organ_id}</edXML:OrganId><edXML:OrganName>{organ_name}</edXML:OrganName></edXML:From>
    <edXML:To><edXML:OrganId>000.00.00.G12</edXML:OrganId><edXML:OrganName>Bộ Nội vụ</edXML:OrganName></edXML:To>
    <edXML:DocumentId>{organ_id},{date},{code_number}/{code_notation}</edXML:DocumentId>
    <edXML:Code><edXML:CodeNumber>{code_number}</edXML:CodeNumber><edXML:CodeNotation>{code_notation}</edXML:CodeNotation></edXML:Code>
    <edXML:PromulgationInfo><edXML:Place>{place}</edXML:Place><edXML:PromulgationDate>{date}</edXML:PromulgationDate></edXML:PromulgationInfo>
    <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Báo cáo</edXML:TypeName></edXML:DocumentType>
    <edXML:Subject>{subject}</edXML:Subject>
    <edXML:Content>{subject}</edXML:Content>
    <edXML:SignerInfo><edXML:Competence>{signer[0]}</edXML:Competence><edXML:Position>{signer[1]}</edXML:Position><edXML:FullName>{signer[2]}</edXML:FullName></edXML:SignerInfo>
    <edXML:DueDate>{due}</edXML:DueDate>
   </edXML:MessageHeader>
   <edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>{organ_id}</edXML:OrganId><edXML:Timestamp>{date} 16:30:00</edXML:Timestamp></edXML:TraceHeader></edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest>{references}</edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded>{parts}</AttachmentEncoded>
</edXML:edXML>""".encode()
