"""Reading a draft: .txt and .md as text (UTF-8, UTF-16, or Windows-1252 as Word and Notepad save it: see encoding.py), .docx with python-docx."""

from __future__ import annotations

import re
from pathlib import Path

from postcheck.encoding import NotText, decode
from postcheck.post import IMAGE_SUFFIXES, Draft

MAX_DRAFT_BYTES = 20_000_000


class DraftError(Exception):
    """The draft cannot be read as text; the message says why, in plain words."""


def load_draft(path: Path, display: str | None = None) -> Draft:
    display = display or str(path)
    if path.is_dir():
        raise DraftError("is a folder, not a draft")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_DRAFT_BYTES:
        raise DraftError(f"is {len(raw) // 1_000_000} MB, too long for a post: split it")
    if path.suffix.casefold() == ".docx":
        return Draft.of(path, display, _docx_text(raw))
    return Draft.of(path, display, decode_text(raw))


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16, Windows-1252 or Mac Roman (``postcheck.encoding``); binary data is refused."""
    try:
        return decode(raw, replace_stray=True)  # a stray byte in a long draft is no reason to stop
    except NotText as problem:
        raise DraftError(_NOT_TEXT[problem.why]) from None


_NOT_TEXT = {
    "broken-utf16": "is not readable text (broken UTF-16)",
    "binary": "is not a text file (it looks like binary data): save the draft as .txt, .md or .docx",
    "unreadable": "is not readable text: save it as UTF-8 text, or as .docx",
}


def _docx_text(raw: bytes) -> str:
    import io
    import zipfile

    import docx  # python-docx: Word drafts are common in school offices

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DraftError(f"is not a readable Word document ({type(exc).__name__}): open and save it again in Word") from None
    except Exception as exc:  # python-docx raises a zoo of lxml and package errors on damaged files
        raise DraftError(f"is not a readable Word document ({type(exc).__name__})") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    # Hyperlink targets are not in the paragraph text; they are what a reader follows, so list them too.
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/hyperlink") and rel.is_external:
            lines.append(rel.target_ref)
    # python-docx reads the body's own paragraphs and tables only: everything else a reader sees follows,
    # each text once (a text box is stored twice, for new and old versions of Word).
    seen = set(lines) | {p.text for table in document.tables for row in table.rows for cell in row.cells
                         for p in cell.paragraphs}
    for text in docx_package_text(raw):
        if text.strip() and text not in seen:
            seen.add(text)
            lines.append(text)
    return "\n".join(lines)


MAX_DOCX_XML_BYTES = 100_000_000
"""Uncompressed size of the XML parts read from one .docx: far above any real post, far below a zip bomb."""

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
"""Parts with Word paragraphs a reader sees: the body (text boxes, content controls, tracked insertions, nested
tables), headers, footers, footnotes, endnotes and comments."""
_DRAWING_PARTS = re.compile(r"word/(charts/chart\d*|diagrams/data\d*)\.xml")
"""Charts and SmartArt: their labels and text are printed on the page."""
_ALT_TEXT = ("descr", "title", "alt")
"""Attributes holding an image's or shape's alt text (wp:docPr, pic:cNvPr, v:shape): screen readers say it aloud."""
_ALT_TEXT_HOLDERS = ("docPr", "cNvPr", "shape", "imagedata", "rect", "roundrect")


def docx_package_text(raw: bytes) -> list[str]:
    """Every text a reader of the document can see or hear, read from the package XML, one line per paragraph."""
    import io
    import zipfile

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    lines: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = [i for i in archive.infolist() if _WORD_PARTS.fullmatch(i.filename)
                     or _DRAWING_PARTS.fullmatch(i.filename) or _is_rels(i.filename)]
            if sum(i.file_size for i in infos) > MAX_DOCX_XML_BYTES:
                raise DraftError("is not a readable Word document (its text is too large): save it again in Word")
            for info in sorted(infos, key=lambda i: _part_order(i.filename)):
                root = etree.fromstring(archive.read(info), parser)
                if _is_rels(info.filename):
                    lines.extend(_hyperlink_targets(root))
                elif _WORD_PARTS.fullmatch(info.filename):
                    lines.extend(_word_lines(root))
                else:
                    lines.extend(_drawing_lines(root))
    except DraftError:
        raise
    except Exception as exc:  # zipfile, zlib and lxml each have their own errors for a damaged part
        raise DraftError(f"is not a readable Word document ({type(exc).__name__}): open and save it again in Word") from None
    return lines


def _is_rels(name: str) -> bool:
    return name.startswith("word/") and name.endswith(".xml.rels")


def _part_order(name: str) -> tuple[int, str]:
    kinds = ("word/document", "word/header", "word/footer", "word/footnotes", "word/endnotes", "word/comments")
    return next((i for i, kind in enumerate(kinds) if name.startswith(kind)), len(kinds)), name


def _word_lines(root) -> list[str]:
    lines = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if element.tag == f"{_W}p":
            lines.extend(_paragraph_lines(element))
        for attribute in _ALT_TEXT:
            value = element.get(attribute)
            if value and element.tag.rpartition("}")[2] in _ALT_TEXT_HOLDERS:
                lines.append(" ".join(value.split()))
    return lines


def _paragraph_lines(paragraph) -> list[str]:
    """One w:p as lines: its text as it reads now, as it read before tracked changes (if different), and its
    field codes (a HYPERLINK field's address is what a click follows). Paragraphs nested in it (text boxes) are
    left out here: they are read as their own lines."""
    final: list[str] = []
    before: list[str] = []
    codes: list[str] = []

    def walk(element, inserted: bool) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag == f"{_W}p":
                continue
            name = child.tag
            if name == f"{_W}t":
                final.append(child.text or "")
                if not inserted:
                    before.append(child.text or "")
            elif name == f"{_W}delText":
                before.append(child.text or "")
            elif name in (f"{_W}instrText", f"{_W}delInstrText"):
                codes.append(child.text or "")
            elif name in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                mark = "\t" if name == f"{_W}tab" else "\n"
                final.append(mark)
                before.append(mark)
            elif name == f"{_W}fldSimple" and child.get(f"{_W}instr"):
                codes.append(child.get(f"{_W}instr"))
            walk(child, inserted or name in (f"{_W}ins", f"{_W}moveTo"))

    walk(paragraph, False)
    lines = ["".join(final)]
    if "".join(before) != lines[0]:
        lines.append("".join(before))
    if "".join(codes).strip():
        lines.append(" ".join(codes))
    return lines


def _drawing_lines(root) -> list[str]:
    lines = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rpartition("}")[2]
        if local == "p" and element.tag != f"{_W}p":  # DrawingML a:p
            runs = (t for t in element.iter() if isinstance(t.tag, str) and t.tag.endswith("}t"))
            lines.append("".join(t.text or "" for t in runs))
        elif local == "v" and element.text:  # chart values and category labels
            lines.append(element.text)
    return lines


def _hyperlink_targets(root) -> list[str]:
    return [rel.get("Target", "") for rel in root
            if isinstance(rel.tag, str) and (rel.get("Type") or "").endswith("/hyperlink")
            and rel.get("TargetMode") == "External"]


RASTER_SUFFIXES = (*IMAGE_SUFFIXES, ".jfif")


def docx_pictures(path: Path) -> list[tuple[str, bytes]]:
    """The photos pasted into a Word draft (``word/media/``), in order: they are published with it.

    Vector drawings (.emf, .wmf, .svg: letterheads, logos) are not photos and are left out."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist()
                           if n.startswith("word/media/") and Path(n).suffix.casefold() in RASTER_SUFFIXES)
            return [(Path(n).name, archive.read(n)) for n in names]
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return []  # the draft itself failed to open and is already reported
