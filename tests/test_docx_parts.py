"""A Word draft is read whole: every part a reader of the published post can see or hear (issue 13 item 5)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from clirun import run_cli
from postcheck.drafts import load_draft

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (f'xmlns:w="{W}" xmlns:r="{R}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:v="urn:schemas-microsoft-com:vml" '
      'mc:Ignorable="wps"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {  # part -> (content type, relationship type, root element)
    "header1": ("header", "header", "hdr"),
    "footer1": ("footer", "footer", "ftr"),
    "footnotes": ("footnotes", "footnotes", "footnotes"),
    "endnotes": ("endnotes", "endnotes", "endnotes"),
    "comments": ("comments", "comments", "comments"),
}


def para(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def text_box(text: str) -> str:
    """A text box as Word 2010+ writes it: DrawingML for new Word and a VML copy for old Word."""
    body = f"<w:txbxContent>{para(text)}</w:txbxContent>"
    return (
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><wp:docPr id=\"1\" name=\"Text Box 1\"/>"
        f"<a:graphic><a:graphicData><wps:wsp><wps:txbx>{body}</wps:txbx></wps:wsp></a:graphicData></a:graphic>"
        f"</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{body}</v:textbox></v:shape>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )


def picture_with_alt_text(descr: str, title: str) -> str:
    return (f"<w:p><w:r><w:drawing><wp:inline><wp:extent cx=\"1\" cy=\"1\"/>"
            f"<wp:docPr id=\"2\" name=\"Picture 2\" descr=\"{descr}\" title=\"{title}\"/></wp:inline></w:drawing></w:r></w:p>")


def write_docx(path: Path, body: str, parts: dict[str, str] = {}, links: dict[str, str] = {},
               files: dict[str, str] = {}) -> Path:
    """A real .docx (as Word lays it out) with ``body`` in the document and ``parts`` (name -> XML inside the root)."""
    types = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
             '<Default Extension="xml" ContentType="application/xml"/>',
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/>']
    rels = []
    with zipfile.ZipFile(path, "w") as archive:
        for name, xml in files.items():
            archive.writestr(name, xml)
        for index, (name, inner) in enumerate(parts.items(), 1):
            kind, rel, root = PARTS[name]
            types.append(f'<Override PartName="/word/{name}.xml" ContentType="application/vnd.openxmlformats-'
                         f'officedocument.wordprocessingml.{kind}+xml"/>')
            rels.append(f'<Relationship Id="rIdP{index}" Type="{REL}/{rel}" Target="{name}.xml"/>')
            archive.writestr(f"word/{name}.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:{root} {NS}>{inner}</w:{root}>')
        for rid, (part, target) in enumerate(links.items(), 1):
            archive.writestr(f"word/_rels/{part}.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                             f'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdL{rid}" '
                             f'Type="{REL}/hyperlink" Target="{target}" TargetMode="External"/></Relationships>')
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         f'package/2006/content-types">{"".join(types)}</Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                         'Target="word/document.xml"/></Relationships>')
        archive.writestr("word/_rels/document.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                         f'openxmlformats.org/package/2006/relationships">{"".join(rels)}</Relationships>')
        archive.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}'
                         '</w:body></w:document>')
    return path


NAME = "Well done to Oliver Bennett!"
NOTE = f'<w:{{tag}} w:id="1">{para(NAME)}</w:{{tag}}>'
CASES = {
    "text-box": dict(body=para("Sports day.") + text_box(NAME)),
    "header": dict(body=para("Sports day."), parts={"header1": para(NAME)}),
    "footer": dict(body=para("Sports day."), parts={"footer1": para(NAME)}),
    "footnote": dict(body=para("Sports day."), parts={"footnotes": NOTE.format(tag="footnote")}),
    "endnote": dict(body=para("Sports day."), parts={"endnotes": NOTE.format(tag="endnote")}),
    "comment": dict(body=para("Sports day."), parts={"comments": '<w:comment w:id="1" w:author="Mrs Clarke">'
                                                                  f"{para(NAME)}</w:comment>"}),
    "alt-text-descr": dict(body=para("Sports day.") + picture_with_alt_text(NAME, "Race")),
    "alt-text-title": dict(body=para("Sports day.") + picture_with_alt_text("A race", NAME)),
    "chart-label": dict(body=para("Sports day results."), files={"word/charts/chart1.xml": (
        '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart><c:cat><c:strRef>'
        f'<c:strCache><c:pt idx="0"><c:v>{NAME}</c:v></c:pt></c:strCache></c:strRef></c:cat></c:chart></c:chartSpace>')}),
    "smartart-text": dict(body=para("Sports day results."), files={"word/diagrams/data1.xml": (
        '<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><dgm:ptLst><dgm:pt><dgm:t><a:p><a:r>'
        f'<a:t>{NAME}</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>')}),
    "content-control": dict(body=f"<w:sdt><w:sdtContent>{para(NAME)}</w:sdtContent></w:sdt>"),
    "tracked-insertion": dict(body='<w:p><w:r><w:t xml:space="preserve">Well done to </w:t></w:r><w:ins w:id="1" '
                                   'w:author="A"><w:r><w:t>Oliver Bennett</w:t></w:r></w:ins></w:p>'),
}


@pytest.mark.parametrize("where", list(CASES))
def test_a_name_anywhere_a_reader_sees_fails_the_post(school, capsys, where):
    path = write_docx(school / "news.docx", **CASES[where])
    result = run_cli(capsys, path, "--format", "json", "--no-redact")
    assert result.code == 1, result.out + result.err
    (post,) = json.loads(result.out)["posts"]
    assert [(f["rule"], f["pupil_id"]) for f in post["findings"]] == [("names.full-name", "P001")]


def test_a_link_in_a_footer_or_a_field_is_checked(school, capsys):
    field = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK '
             '"https://evil.example/field" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
             '<w:r><w:t>our page</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    path = write_docx(school / "news.docx", para("Sports day.") + field, parts={"footer1": para("Contact us")},
                      links={"footer1": "https://evil.example/footer"})
    result = run_cli(capsys, path, "--format", "json")
    (post,) = json.loads(result.out)["posts"]
    assert result.code == 1
    assert sorted(f["rule"] for f in post["findings"]) == ["links.not-allowed", "links.not-allowed"]


def test_each_text_is_read_once_and_the_body_comes_first(school):
    path = write_docx(school / "news.docx", para("Sports day.") + text_box("A text box."), parts={"header1": para("Head")})
    assert load_draft(path).text.splitlines() == ["Sports day.", "", "A text box.", "Head"]


def test_headers_footers_and_comments_written_by_python_docx(school, capsys):
    """The same parts as a word processor writes them, through python-docx's own API."""
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("Sports day was a great success.")
    document.sections[0].header.paragraphs[0].text = "Zoë Hughes, Year 2"
    document.sections[0].footer.paragraphs[0].text = "Photos: Oliver Bennett"
    document.add_comment(paragraph.runs, text="Ask Joe Biden's parents first", author="Mrs Clarke")
    document.save(school / "news.docx")
    result = run_cli(capsys, school / "news.docx", "--format", "json", "--no-redact")
    (post,) = json.loads(result.out)["posts"]
    found = {(f["rule"], f["pupil_id"]) for f in post["findings"] if f["severity"] == "error"}
    assert found == {("names.full-name", "P001"), ("names.full-name", "P002"), ("names.full-name", "P011")}
