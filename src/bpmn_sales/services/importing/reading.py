"""Reading an uploaded file, CSV or XLSX: its header, then row by row.

A CSV file is UTF-8 with or without a BOM, its separator `,` or `;` (whichever the header has
more of). An XLSX workbook's first sheet is read in openpyxl's read-only (streaming) mode; its
dates and numbers come from the cells themselves, written as the checks read them. Anything
else (an old .xls, an OpenDocument sheet, a PDF) is refused naming what to save it as.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any, Protocol

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

MAX_CELL = 10_000  # characters in one cell; the csv module's own limit is 128k
csv.field_size_limit(MAX_CELL)


@dataclass(frozen=True)
class Row:
    """One record of the file: the line it starts on (the header is line 1) and its cells."""

    line: int
    cells: list[str]


def _separator(first_line: str) -> str:
    """`;` when the header has more of them than commas (spreadsheets in French or Polish)."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


class TableFile(Protocol):
    """What the import reads: the header's cells, then the records after it."""

    headers: tuple[str, ...]

    def rows(self) -> Iterator[Row]: ...


class CsvFile:
    """A CSV file read from the start on each pass, in UTF-8 with or without a BOM."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.headers, self.separator = self._header()

    def _text(self) -> io.TextIOWrapper:
        self.stream.seek(0)
        # utf-8-sig drops a BOM if there is one and reads plain UTF-8 otherwise.
        return io.TextIOWrapper(self.stream, encoding="utf-8-sig", newline="")

    def _header(self) -> tuple[tuple[str, ...], str]:
        text = self._text()
        try:
            first = text.readline()
        except UnicodeDecodeError:
            raise InvalidInput(_("the file is not UTF-8 text (line 1)"), field="file") from None
        finally:
            text.detach()
        if not first.strip():
            raise InvalidInput(_("the file is empty: line 1 must name the columns"), field="file")
        separator = _separator(first)
        headers = next(csv.reader([first], delimiter=separator))
        return tuple(h.strip() for h in headers), separator

    def rows(self) -> Iterator[Row]:
        """Every record after the header; blank lines are skipped."""
        text = self._text()
        reader = csv.reader(text, delimiter=self.separator)
        line = 1
        try:
            next(reader, None)
            line = reader.line_num + 1
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield Row(line, cells)
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise InvalidInput(
                _("the file is not UTF-8 text (line %(line)s)", line=line), field="file"
            ) from None
        except csv.Error as error:
            raise InvalidInput(
                _("line %(line)s: %(error)s", line=line, error=error), field="file"
            ) from None
        finally:
            text.detach()


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other old Office files


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the checks read it: days as YYYY-MM-DD, numbers in full."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same number; no exponent.
        number = Decimal(repr(value))
        return format(number.normalize(), "f") if number == number.to_integral() else repr(value)
    return str(value)


class XlsxFile:
    """The first sheet of an XLSX workbook, streamed row by row (read-only mode)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        header = next(self._records(), None)
        if header is None or not any(cell.strip() for cell in header):
            raise InvalidInput(
                _("the first sheet is empty: row 1 must name the columns"), field="file"
            )
        while header and not header[-1].strip():
            header.pop()  # formatted but empty cells at the end of the header
        self.headers = tuple(cell.strip() for cell in header)

    def _records(self) -> Iterator[list[str]]:
        from openpyxl import load_workbook  # the CLI starts faster without it
        from openpyxl.utils.exceptions import InvalidFileException

        self.stream.seek(0)
        try:
            book = load_workbook(self.stream, read_only=True, data_only=True)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            OSError,
            ValueError,
            SyntaxError,
        ):
            raise InvalidInput(
                _("the file is not an XLSX workbook; save it as .xlsx or as CSV (UTF-8)"),
                field="file",
            ) from None
        try:
            sheet = book.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield [cell_text(value) for value in values]
        except (ValueError, SyntaxError, KeyError, zipfile.BadZipFile, OSError):
            # A damaged sheet, or XML with entities or a DTD (refused by defusedxml, which
            # openpyxl parses with): the file, not a row, is wrong.
            raise InvalidInput(
                _("the file is not an XLSX workbook; save it as .xlsx or as CSV (UTF-8)"),
                field="file",
            ) from None
        finally:
            book.close()

    def rows(self) -> Iterator[Row]:
        """Every row after the header, numbered as the spreadsheet does; blank rows skipped."""
        for line, cells in enumerate(self._records(), start=1):
            if line > 1 and any(cell.strip() for cell in cells):
                yield Row(line, cells)


def open_table(stream: IO[bytes]) -> TableFile:
    """The uploaded file as a table: XLSX when it is a workbook, else CSV."""
    stream.seek(0)
    magic = stream.read(4)
    stream.seek(0)
    if magic == OLE_MAGIC:
        raise InvalidInput(
            _("old Excel (.xls) files are not read; save it as .xlsx or as CSV (UTF-8)"),
            field="file",
        )
    if magic == ZIP_MAGIC:
        return XlsxFile(stream)
    return CsvFile(stream)


def estimated_rows(stream: IO[bytes]) -> int:
    """About how many rows follow the header, for a progress bar: a CSV file's line breaks, an
    XLSX sheet's recorded size (read without reading the rows)."""
    stream.seek(0)
    if stream.read(4) == ZIP_MAGIC:
        from openpyxl import load_workbook

        stream.seek(0)
        try:
            book = load_workbook(stream, read_only=True)
            count = (book.worksheets[0].max_row or 1) - 1
            book.close()
        except Exception:
            count = 1
    else:
        stream.seek(0)
        count = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b"")) - 1
    stream.seek(0)
    return max(count, 1)
