"""A real install: the wheel, built from the sources and installed (not editable) into a fresh
venv, carries everything `init`, `demo` and `serve` need, and keeps its database in the user's
data directory wherever it is run from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.served import fetch, serving

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "bpmn_sales"


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of what a source release holds, so nothing stale in the checkout's
    build/ folder can slip in (bundled/ stays a link to bpmn/, as in git)."""
    source = tmp_path / "source"
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(REPO / "src", source / "src", symlinks=True, ignore=junk)
    shutil.copytree(REPO / "bpmn", source / "bpmn")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("bpmn_sales-*.whl")
    return wheel


def package_files() -> set[str]:
    """Every file of the package as the wheel names it, the linked bundled diagrams included."""
    found = set()
    for path in PACKAGE.rglob("*"):  # rglob follows the bundled/ link
        if path.is_file() and "__pycache__" not in path.parts:
            found.add(f"bpmn_sales/{path.relative_to(PACKAGE).as_posix()}")
    return found


def test_the_wheel_installs_and_serves_the_demo(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert package_files() - in_wheel == set()
    assert {f"bpmn_sales/bundled/{p.name}" for p in (REPO / "bpmn").iterdir()} <= in_wheel

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    cli = venv / "bin" / "bpmn-sales"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(data)}
    database = data / "bpmn-sales" / "bpmn-sales.sqlite3"

    where = run(
        venv / "bin" / "python",
        "-c",
        "import bpmn_sales; print(bpmn_sales.__file__)",
        cwd=elsewhere,
        env=env,
    )
    assert where.startswith(str(venv)), where
    assert str(database) in run(cli, "--help", cwd=elsewhere, env=env)

    refused = subprocess.run(
        [cli, "deal", "list"], cwd=elsewhere, env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"error: no database at {database}; run 'bpmn-sales init'"
    ]
    assert not data.exists()

    deployed = run(cli, "init", cwd=elsewhere, env=env).splitlines()
    assert sorted(deployed) == [
        "deployed lead_qualification v1",
        "deployed openfire_pipeline v1",
        "deployed sales_process v1",
        "deployed zh_key_account v1",
    ]
    tokens = dict(
        line.split()[1:4:2]
        for line in run(cli, "demo", cwd=elsewhere, env=env).splitlines()
        if line.startswith("user ")
    )
    assert list(elsewhere.iterdir()) == []

    with serving(cli, env, elsewhere, tmp_path / "serve.log") as base:
        status, page = fetch(f"{base}/sign-in")
        assert status == 200
        assert b"/static/css/app.css" in page
        assert fetch(f"{base}/static/css/app.css")[0] == 200
        status, body = fetch(f"{base}/api/v1/deals", token=tokens["rob"])
        assert status == 200, body
        listed = json.loads(body)
        deals = listed["items"] if isinstance(listed, dict) else listed
        assert any(d["name"] == "Adventure Works rollout" for d in deals), listed
