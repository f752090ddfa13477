"""A python-docx document whose body is written out as it is made: what is complete (paragraphs,
the rows of a long table) is serialised into a spool file and dropped from the tree, so that a
document of tens of thousands of units' rows never holds them all in memory; ``save`` writes the
package python-docx makes, with ``word/document.xml`` streamed from the spool. The bytes of
``word/document.xml`` are those python-docx would write for the whole tree."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from docx.table import Table
from lxml import etree

DOCUMENT_PART = "word/document.xml"
_DECLARATION = re.compile(rb' xmlns:([A-Za-z0-9_.-]+)="([^"]*)"')
_COPY_CHUNK = 1 << 20
_SECT_PR = qn("w:sectPr")


class BodySpool:
    """The body of ``doc`` (a python-docx Document), spilled into a temporary file as it grows.
    ``spill()`` writes out every complete element of the body; ``spill_rows(table)`` the rows of
    a table still being filled (the table must then only get new rows until ``end_table``)."""

    def __init__(self, doc, folder: Path | None = None):
        self.doc = doc
        self.body = doc.element.body
        # Namespaces declared on the document's root: a child serialised alone declares them
        # again, which the whole document does not; they are taken out of its first tag.
        self._declared = {prefix.encode(): uri.encode() for prefix, uri in doc.element.nsmap.items() if prefix}
        self._nsmap = doc.element.nsmap
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115  (lives until save; unlinked already)
        self._size = 0
        self._table: object | None = None  # the table (CT_Tbl) whose rows are being spilled

    # --- writing out ---------------------------------------------------------------------------
    def _strip(self, xml: bytes) -> bytes:
        end = xml.index(b">")
        head = _DECLARATION.sub(lambda m: b"" if self._declared.get(m.group(1)) == m.group(2) else m.group(0),
                                xml[:end])
        return head + xml[end:]

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._size += len(data)

    def _out_all(self, elements: list) -> None:
        """Write out ``elements`` and take them out of the tree: moved into a wrapper declaring the
        root's namespaces, serialised at once, the wrapper's own tags cut off."""
        if not elements:
            return
        wrapper = etree.Element(qn("w:body"), nsmap=self._nsmap)
        wrapper.extend(elements)
        xml = etree.tostring(wrapper, encoding="UTF-8")
        self._write(xml[xml.index(b">") + 1:-len(b"</w:body>")])

    def spill(self) -> None:
        """Write out and drop every element of the body before its section properties."""
        if self._table is not None:
            raise RuntimeError("a table is still being spilled")
        self._out_all([child for child in self.body if child.tag != _SECT_PR])

    def spill_rows(self, table: Table) -> None:
        """Write out the rows ``table`` has so far (the first time: what comes before it and the
        table's own properties), and drop them."""
        tbl = table._tbl
        if self._table is None:
            self._out_all(list(itertools.takewhile(lambda child: child is not tbl, self.body)))
            xml = self._strip(etree.tostring(tbl, encoding="UTF-8"))
            close = b"</w:tbl>"
            if not xml.endswith(close):
                raise ValueError("unexpected serialisation of a table")
            self._write(xml[:-len(close)])
            for tr in tbl.tr_lst:
                tbl.remove(tr)
            self._table = tbl
            return
        if tbl is not self._table:
            raise RuntimeError("another table is still being spilled")
        self._out_all(tbl.tr_lst)

    def end_table(self, table: Table) -> None:
        """The last rows of ``table`` and its end; the table leaves the tree."""
        if self._table is None:
            self.spill_rows(table)
        self.spill_rows(table)
        self._write(b"</w:tbl>")
        self.body.remove(table._tbl)
        self._table = None

    # --- the package ---------------------------------------------------------------------------
    def save(self, path: Path) -> Path:
        """The document as python-docx would save it, ``word/document.xml`` taken from the spool."""
        self.spill()
        package = io.BytesIO()
        self.doc.save(package)
        package.seek(0)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(package) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename != DOCUMENT_PART:
                    dst.writestr(info, data)
                    continue
                opening = data.index(b"<w:body>") + len(b"<w:body>")
                streamed = zipfile.ZipInfo(info.filename, info.date_time)
                streamed.compress_type, streamed.external_attr = info.compress_type, info.external_attr
                streamed.create_system = info.create_system
                streamed.file_size = len(data) + self._size
                with dst.open(streamed, "w") as out:
                    out.write(data[:opening])
                    self._file.seek(0)
                    shutil.copyfileobj(self._file, out, _COPY_CHUNK)
                    out.write(data[opening:])
        self._file.close()
        return path
