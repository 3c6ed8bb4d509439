"""Reading an uploaded CSV file: its encoding, its separator, its header, then row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

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
