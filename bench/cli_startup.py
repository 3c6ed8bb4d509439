"""Wall time of a CLI call against the interpreter's own start, lazy verbs against eager ones.

Each contender is a fresh process, run in turn round after round so the machine's noise falls on
all of them alike:

    python -c pass        the floor: the interpreter starting and stopping, nothing imported
    --help                `bpmn-sales --help`
    processes             `bpmn-sales processes` on a scratch SQLite file `init` made (a simple
                          verb: opens the database, lists the deployed processes)

`--help` and `processes` run as `bpmn-sales` runs them (a verb's modules imported only when it
runs) and "eager", with every module of bpmn_sales.cli imported first, as `bpmn-sales` did before
its verbs were loaded on use. Printed per contender: median, min and max wall time and the median
over the floor; then the per-round ratios (min..max). The last line is

    floor_ms=F help_ms=H processes_ms=P ratio_help=X ratio_processes=Y

(medians of the lazy CLI; the ratios are eager's median over lazy's).

    python bench/cli_startup.py              # 15 rounds
    python bench/cli_startup.py --rounds 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN_CLI = "import sys\nfrom bpmn_sales.cli import main\nsys.argv[0] = 'bpmn-sales'\nmain()\n"
EAGER = (
    "import importlib, pkgutil\nimport bpmn_sales.cli as cli\n"
    "for m in pkgutil.iter_modules(cli.__path__):\n"
    "    importlib.import_module(f'bpmn_sales.cli.{m.name}')\n"
)
FLOOR = "python -c pass"


def contenders() -> dict[str, list[str]]:
    """Name each contender's command line."""
    python = sys.executable
    return {
        FLOOR: [python, "-c", "pass"],
        "--help": [python, "-c", RUN_CLI, "--help"],
        "--help (eager)": [python, "-c", EAGER + RUN_CLI, "--help"],
        "processes": [python, "-c", RUN_CLI, "processes"],
        "processes (eager)": [python, "-c", EAGER + RUN_CLI, "processes"],
    }


def measure(rounds: int, env: dict[str, str]) -> dict[str, list[float]]:
    """Run every contender once per round, in turn, and return each one's wall times (s)."""
    times: dict[str, list[float]] = {name: [] for name in contenders()}
    for _ in range(rounds):
        for name, command in contenders().items():
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    return times


def spread(numerators: list[float], denominators: list[float]) -> str:
    """Format the per-round ratios' min..max."""
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True)]
    return f"{min(ratios):.2f}..{max(ratios):.2f}"


def report(times: dict[str, list[float]]) -> None:
    """Print the medians with their spread, the per-round ratios and the summary line."""
    median = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, values in times.items():
        print(
            f"{name:<18} median {median[name]:7.0f} ms   min {min(values) * 1000:6.0f}   "
            f"max {max(values) * 1000:6.0f}   over the floor {median[name] - median[FLOOR]:6.0f}"
            f" ms   (n={len(values)})"
        )
    print(
        f"per round: --help/floor {spread(times['--help'], times[FLOOR])}   "
        f"eager/lazy --help {spread(times['--help (eager)'], times['--help'])}   "
        f"processes {spread(times['processes (eager)'], times['processes'])}"
    )
    print(
        f"floor_ms={median[FLOOR]:.0f} help_ms={median['--help']:.0f} "
        f"processes_ms={median['processes']:.0f} "
        f"ratio_help={median['--help (eager)'] / median['--help']:.2f} "
        f"ratio_processes={median['processes (eager)'] / median['processes']:.2f}"
    )


def main() -> None:
    """Make a scratch database, time the contenders side by side and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"}
        subprocess.run(
            [sys.executable, "-c", RUN_CLI, "init"], env=env, check=True, capture_output=True
        )
        times = measure(args.rounds, env)
    report(times)


if __name__ == "__main__":
    main()
