"""Real footnotes for python-docx, which has no API for them: a ``word/footnotes.xml`` part
related to the document, the separator footnotes Word expects, and reference runs."""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
)
# w:settings children that come after w:footnotePr (ECMA-376 sequence).
_AFTER_FOOTNOTE_PR = ("w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                      "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                      "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
                      "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
                      "w:decimalSymbol", "w:listSeparator")


class Footnotes:
    def __init__(self, document: Document, font: str, size_pt: float):
        self._font, self._half_points = font, int(size_pt * 2)
        self.element = parse_xml(f'<w:footnotes xmlns:w="{W_NS}">{_SEPARATORS}</w:footnotes>')
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.element, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        settings = document.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            settings.insert_element_before(parse_xml(
                f'<w:footnotePr xmlns:w="{W_NS}"><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'),
                *_AFTER_FOOTNOTE_PR)
        self._next = 1

    def _rpr(self, superscript: bool = False) -> str:
        f = escape(self._font, {'"': "&quot;"})
        sup = '<w:vertAlign w:val="superscript"/>' if superscript else ""
        # Children in the schema's order: rFonts, sz, szCs, vertAlign (Word rejects other orders).
        return (f'<w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:cs="{f}" w:eastAsia="{f}"/>'
                f'<w:sz w:val="{self._half_points}"/><w:szCs w:val="{self._half_points}"/>{sup}</w:rPr>')

    def add(self, paragraph: Paragraph, lines: list[str]) -> int:
        """Put a footnote reference at the end of ``paragraph``; the note holds one paragraph per line."""
        fid = self._next
        self._next += 1
        paragraphs = []
        for n, line in enumerate(lines):
            ref = f'<w:r>{self._rpr(True)}<w:footnoteRef/></w:r>' if n == 0 else ""
            lead = " " if n == 0 else ""
            paragraphs.append(
                f'<w:p><w:pPr><w:spacing w:after="0"/><w:jc w:val="both"/></w:pPr>{ref}'
                f'<w:r>{self._rpr()}<w:t xml:space="preserve">{escape(lead + line)}</w:t></w:r></w:p>')
        self.element.append(parse_xml(f'<w:footnote xmlns:w="{W_NS}" w:id="{fid}">{"".join(paragraphs)}</w:footnote>'))
        paragraph._p.append(parse_xml(
            f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{fid}"/></w:r>'))
        return fid


def read_footnotes(document: Document) -> dict[int, str]:
    """The text of each real footnote of a document (paragraphs joined by newlines)."""
    part = document.part.part_related_by(RT.FOOTNOTES)
    root = parse_xml(part.blob)
    notes = {}
    for note in root.findall(qn("w:footnote")):
        fid = int(note.get(qn("w:id")))
        if fid <= 0:
            continue
        paras = ["".join(t.text or "" for t in p.iter(qn("w:t"))).strip() for p in note.findall(qn("w:p"))]
        notes[fid] = "\n".join(paras)
    return notes
