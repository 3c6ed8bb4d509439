"""Diagram XML is parsed safely: no DTDs, no entities, no huge input, located errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.engine.diagrams.xml import MAX_DIAGRAM_BYTES, element_line, parse_xml
from bpmn_sales.errors import DiagramError
from bpmn_sales.tasks import SERVICE_TASKS

BPMN = Path(__file__).resolve().parents[2] / "bpmn"

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<x>&e;</x>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

PLAIN_DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions>
<definitions/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<x/>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE x SYSTEM "http://example.invalid/evil.dtd">
<x/>"""


@pytest.mark.parametrize(
    "data",
    [XXE, BILLION_LAUGHS, PLAIN_DOCTYPE, PARAMETER_ENTITY, EXTERNAL_DTD],
    ids=["xxe", "billion-laughs", "plain-doctype", "parameter-entity", "external-dtd"],
)
def test_doctype_is_refused(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(DiagramError) as refused:
        parse_xml(data, "evil.bpmn")
    assert time.perf_counter() - started < 1
    assert refused.value.file == "evil.bpmn"
    assert "evil.bpmn" in str(refused.value)
    # libxml2's amplification guard may stop the billion laughs before our DOCTYPE check.
    assert "DOCTYPE" in refused.value.message or "entity" in refused.value.message
    assert "lol" * 10 not in str(refused.value)


def test_plain_doctype_is_refused_as_a_doctype() -> None:
    with pytest.raises(DiagramError, match="DOCTYPE declarations"):
        parse_xml(PLAIN_DOCTYPE, "doc.bpmn")


@pytest.mark.parametrize(
    ("codec", "declared"),
    [
        ("utf-16", "UTF-16"),  # with a byte-order mark
        ("utf-16-le", "UTF-16"),  # without one
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-8-sig", "UTF-8"),
        ("latin-1", "ISO-8859-1"),
    ],
)
def test_doctype_is_found_in_any_encoding_before_parsing(codec: str, declared: str) -> None:
    text = BILLION_LAUGHS.decode().replace('version="1.0"', f'version="1.0" encoding="{declared}"')
    data = text.encode(codec)
    assert b"<!DOCTYPE" not in data or codec in ("utf-8-sig", "latin-1")
    with pytest.raises(DiagramError) as refused:
        parse_xml(data, "evil.bpmn")
    # our own words and the DOCTYPE's line: the check ran before libxml2 saw the bytes
    assert str(refused.value) == (
        "evil.bpmn, line 2: DOCTYPE declarations (and so entities) are not allowed in diagrams"
    )
    assert refused.value.details["line"] == 2


def test_a_clean_utf16_diagram_parses_and_an_unknown_encoding_is_named() -> None:
    clean = '<?xml version="1.0" encoding="UTF-16"?>\n<definitions id="d"/>'
    assert parse_xml(clean.encode("utf-16"), "ok.bpmn").getroot().get("id") == "d"
    with pytest.raises(DiagramError, match="unknown encoding 'klingon'"):
        parse_xml(b'<?xml version="1.0" encoding="klingon"?><x/>', "odd.bpmn")


def test_xxe_does_not_leak_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>\n<x>&e;</x>'
    ).encode()
    with pytest.raises(DiagramError) as refused:
        parse_xml(data, "evil.bpmn")
    assert "TOP-SECRET-VALUE" not in str(refused.value)
    assert "TOP-SECRET-VALUE" not in repr(refused.value.to_dict())


def test_doctype_is_refused_by_lint_naming_the_file() -> None:
    compiler = DiagramCompiler(set(SERVICE_TASKS))
    problems = compiler.lint({"evil.bpmn": XXE})
    assert len(problems) == 1
    assert problems[0].file == "evil.bpmn"
    assert problems[0].severity == "error"
    assert "DOCTYPE" in problems[0].message
    with pytest.raises(DiagramError) as refused:
        compiler.compile({"evil.bpmn": BILLION_LAUGHS})
    assert refused.value.file == "evil.bpmn"


def test_malformed_xml_names_the_line() -> None:
    data = b'<?xml version="1.0"?>\n<a>\n  <b>\n</a>\n'
    with pytest.raises(DiagramError) as refused:
        parse_xml(data, "broken.bpmn")
    assert refused.value.file == "broken.bpmn"
    assert refused.value.line == 4
    assert "malformed XML" in refused.value.message
    assert "line 4" in str(refused.value)


def test_undeclared_entity_is_malformed() -> None:
    with pytest.raises(DiagramError, match="malformed XML"):
        parse_xml(b"<x>&e;</x>", "entity.bpmn")


@pytest.mark.parametrize("data", [b"", b"not xml at all", b"\xff\xfe\x00garbage"])
def test_non_xml_is_refused(data: bytes) -> None:
    with pytest.raises(DiagramError) as refused:
        parse_xml(data, "junk.bpmn")
    assert refused.value.file == "junk.bpmn"
    assert refused.value.line == 1


def test_oversize_input_is_refused_before_parsing() -> None:
    data = b"<x>" + b" " * MAX_DIAGRAM_BYTES + b"</x>"
    with pytest.raises(DiagramError) as refused:
        parse_xml(data, "huge.bpmn")
    assert refused.value.file == "huge.bpmn"
    assert str(MAX_DIAGRAM_BYTES) in refused.value.message


def test_input_at_the_limit_is_accepted() -> None:
    data = b"<x>" + b" " * (MAX_DIAGRAM_BYTES - 7) + b"</x>"
    assert len(data) == MAX_DIAGRAM_BYTES
    assert parse_xml(data, "big.bpmn").getroot().tag == "x"


def test_deep_nesting_is_refused() -> None:
    depth = 100_000
    data = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(DiagramError, match="malformed XML"):
        parse_xml(data, "deep.bpmn")


@pytest.mark.parametrize("name", ["lead_qualification.bpmn", "sales_process.bpmn"])
def test_clean_diagrams_parse(name: str) -> None:
    tree = parse_xml((BPMN / name).read_bytes(), name)
    root = tree.getroot()
    assert root.tag == "{http://www.omg.org/spec/BPMN/20100524/MODEL}definitions"
    assert tree.docinfo.doctype == ""


def test_element_line_finds_ids() -> None:
    data = (BPMN / "sales_process.bpmn").read_bytes()
    tree = parse_xml(data, "sales_process.bpmn")
    lines = data.decode().splitlines()
    line = element_line(tree, "Flow_Won")
    assert line is not None
    assert 'id="Flow_Won"' in lines[line - 1]
    assert element_line(tree, "No_Such_Element") is None
