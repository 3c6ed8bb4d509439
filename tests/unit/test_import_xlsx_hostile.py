"""An uploaded workbook is user input: XML entities or a DTD in a sheet are refused as a bad
file (never expanded), as is a sheet that is not XML; the message names the file field."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.importing.reading import open_table

BOMB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>\n'
)


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, member: str, change: str) -> bytes:
    """`data` with the sheet's XML changed: `entity` puts a DTD and an entity in it, `garbage`
    makes it no XML at all."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == member:
                text = body.decode("utf-8")
                if change == "entity":
                    body_xml = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                    assert ">Name<" in body_xml
                    text = BOMB + body_xml.replace(">Name<", ">&lol2;<", 1)
                else:
                    text = "<worksheet><sheetData><row>"
                body = text.encode("utf-8")
            target.writestr(item, body)
    return out.getvalue()


def test_a_plain_workbook_is_read() -> None:
    table = open_table(io.BytesIO(workbook([["Name", "Email"], ["Ada", "ada@example.com"]])))
    assert table.headers == ("Name", "Email")
    assert [row.cells for row in table.rows()] == [["Ada", "ada@example.com"]]


@pytest.mark.parametrize("change", ["entity", "garbage"])
def test_a_hostile_or_broken_sheet_is_refused_naming_the_file(change: str) -> None:
    data = workbook([["Name", "Email"], ["Ada", "ada@example.com"]])
    members = zipfile.ZipFile(io.BytesIO(data)).namelist()
    member = "xl/sharedStrings.xml" if change == "entity" else "xl/worksheets/sheet1.xml"
    if member not in members:  # openpyxl writes inline strings: put the entity in the sheet
        member = "xl/worksheets/sheet1.xml"
    hostile = rewritten(data, member, change)
    with pytest.raises(InvalidInput) as refused:
        table = open_table(io.BytesIO(hostile))
        list(table.rows())
    assert refused.value.field == "file"
    assert "XLSX" in refused.value.message


def test_openpyxl_parses_through_defusedxml() -> None:
    """Without defusedxml installed openpyxl would expand the entities above silently."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
