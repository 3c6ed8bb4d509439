"""The README's "Using it" examples run as written on the data `scripts/run` loads.

Its shell blocks (the CLI, then curl against a served app) run in order in one bash, with
`set -euo pipefail`, from a folder where `.venv` is this test run's virtualenv, on a fresh
`init` + `demo --history` database. Only two things differ from a reader's terminal: the
server's port (a free one instead of 8000) and curl's `--fail-with-body`, so an HTTP error
fails the test instead of printing JSON.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.cli_checks import CliOn
from tests.served import serving

REPO = Path(__file__).resolve().parents[2]
SECTION = "## Using it"
README_PORT = "http://127.0.0.1:8000"
RUN_LOADS = (("init",), ("demo", "--history"))  # what scripts/run loads


def readme_blocks() -> list[str]:
    """The ```bash blocks of the README's "Using it" section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```bash\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_finds_its_examples() -> None:
    blocks = readme_blocks()
    assert len(blocks) == 2
    assert ".venv/bin/bpmn-sales lead create" in blocks[0]
    assert blocks[1].count("curl ") == 3
    assert README_PORT in blocks[1]


def test_the_using_it_examples_run_as_written(cli_on: CliOn, tmp_path: Path) -> None:
    database = cli_on(*RUN_LOADS).database_url
    reader = tmp_path / "reader"  # where the reader stands: .venv is the checkout's
    reader.mkdir()
    (reader / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k not in ("BPMN_SALES_USER", "DATABASE_URL")}
    env["DATABASE_URL"] = database
    cli_block, curl_block = readme_blocks()

    with serving(reader / ".venv" / "bin" / "bpmn-sales", env, reader, tmp_path / "log") as base:
        script = "\n".join(
            [
                "set -euo pipefail",
                'curl() { command curl --silent --show-error --fail-with-body "$@"; echo; }',
                cli_block,
                curl_block.replace(README_PORT, base),
            ]
        )
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=reader,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert done.returncode == 0, (done.stdout[-4000:], done.stderr[-4000:])
    assert done.stderr == "", done.stderr
    out = done.stdout
    assert "lead 4     qualified    Jane Cooper / Northwind owner=rob -> deal 29" in out
    assert "completed " in out and "Identify decision makers" in out
    assert "Approve solution" in out
    assert "deal 3     lost" in out
    assert "deal 30    open" in out and "reopened-from=3" in out
    assert '"deal_id":31' in out
    assert '"status":"lost"' in out
