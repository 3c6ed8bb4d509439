"""Importing leads and deals from a CSV file: check every row, then create the good ones.

`import_leads` and `import_deals` are the use cases (CLI, API); `run.py` holds the two passes,
`kinds.py` what differs between leads and deals, `reading.py` the file itself.
"""

from __future__ import annotations

from typing import IO

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.services.importing.kinds import DEALS, LEADS
from bpmn_sales.services.importing.run import (
    ImportOptions,
    ImportReport,
    Progress,
    RowNote,
    run_import,
)


def import_leads(
    ctx: Context,
    actor: Actor,
    stream: IO[bytes],
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Import leads from a CSV file (a seekable binary stream), each starting qualification."""
    return run_import(ctx, actor, LEADS, stream, options, progress)


def import_deals(
    ctx: Context,
    actor: Actor,
    stream: IO[bytes],
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Import deals from a CSV file, each starting on its owner's process (or `process`)."""
    return run_import(ctx, actor, DEALS, stream, options, progress)


__all__ = ["ImportOptions", "ImportReport", "Progress", "RowNote", "import_deals", "import_leads"]
