"""Reading a draft: .txt and .md as text (UTF-8, or Windows-1252 as Word and Notepad save it), .docx with python-docx."""

from __future__ import annotations

from pathlib import Path

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
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; binary data is refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DraftError("is not readable text (broken UTF-16)") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if _looks_binary(raw):
        raise DraftError("is not a text file (it looks like binary data): save the draft as .txt, .md or .docx")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(2, len(text) // 100):
        raise DraftError("is not readable text: save it as UTF-8 text, or as .docx")
    return text


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) // 20


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
    return "\n".join(lines)


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
