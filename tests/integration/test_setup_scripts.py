"""scripts/apt-install waits for another apt's lock; scripts/setup checks what it needs first.

apt-get, id, sudo, node and python are stand-ins on PATH (this machine's apt and dpkg are
shared with other work): each records how it was called, and the stand-in apt-get answers as
the real one does while another apt or dpkg holds the lock.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCKED = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\n"
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another "
    "process using it?"
)

# Locked until the epoch second in $FAKE/locked-until; a package named `nosuch` is unknown.
APT_GET = f"""#!/usr/bin/env bash
echo "apt-get $*" >>"$FAKE/calls"
if [[ -f "$FAKE/locked-until" ]] && (( $(date +%s) < $(cat "$FAKE/locked-until") )); then
    echo "{LOCKED}" >&2
    exit 100
fi
if [[ " $* " == *" nosuch "* ]]; then
    echo "E: Unable to locate package nosuch" >&2
    exit 100
fi
"""


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def fake_bin(tmp_path: Path, uid: int = 0, sudo_ok: bool = False) -> dict[str, str]:
    """An environment whose PATH finds the stand-ins first."""
    folder = tmp_path / "bin"
    folder.mkdir()
    stand_in(folder, "apt-get", APT_GET)
    stand_in(folder, "id", f"#!/usr/bin/env bash\necho {uid}\n")
    stand_in(
        folder,
        "sudo",
        '#!/usr/bin/env bash\necho "sudo $*" >>"$FAKE/calls"\n'
        + ('[[ "$2" == true ]] && exit 0\nshift\nexec "$@"\n' if sudo_ok else "exit 1\n"),
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "APT_LOCK_WAIT", "PYTHON")}
    return env | {"PATH": f"{folder}:{os.environ['PATH']}", "FAKE": str(tmp_path)}


def run(script: str, *args: str, env: dict[str, str]) -> tuple[int, list[str], float]:
    """bash scripts/SCRIPT ARGS: (exit code, stderr lines, seconds taken)."""
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stderr.splitlines(), time.monotonic() - started


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_apt_install_waits_while_another_apt_holds_the_lock(tmp_path: Path) -> None:
    env = fake_bin(tmp_path)
    (tmp_path / "locked-until").write_text(str(int(time.time()) + 4))
    code, err, seconds = run("apt-install", "chromium", env=env)
    assert code == 0, err
    assert err[0] == "apt-install: apt-get install chromium"
    assert err.count("apt-install: another apt/dpkg holds its lock; waiting up to 300s") == 1
    assert err[-1].startswith("apt-install: installed chromium in ")
    assert seconds >= 3
    attempts = calls(tmp_path)
    # refused while locked, then the update and the install went through
    assert len(attempts) > 2
    assert all(a.startswith("apt-get -o DPkg::Lock::Timeout=") for a in attempts)
    assert attempts[-2].endswith(" -qq update")
    assert attempts[-1].endswith(" -qq install -y --no-install-recommends chromium")


def test_apt_install_gives_up_after_apt_lock_wait_with_what_to_do(tmp_path: Path) -> None:
    env = fake_bin(tmp_path) | {"APT_LOCK_WAIT": "2"}
    (tmp_path / "locked-until").write_text(str(int(time.time()) + 3600))
    code, err, seconds = run("apt-install", "chromium", env=env)
    assert code == 1
    assert err[-1] == (
        "apt-install: another apt/dpkg still holds its lock after 2s; wait for it to finish "
        "(or raise APT_LOCK_WAIT) and run this again"
    )
    assert 2 <= seconds < 30
    assert all(" update" in call for call in calls(tmp_path))  # never got to install


def test_apt_install_fails_at_once_on_another_error(tmp_path: Path) -> None:
    code, err, seconds = run("apt-install", "nosuch", env=fake_bin(tmp_path))
    assert code == 1
    assert "E: Unable to locate package nosuch" in err
    assert (
        err[-1] == "apt-install: apt-get install -y --no-install-recommends nosuch failed (above)"
    )
    assert seconds < 30
    assert not any("waiting" in line for line in err)


def test_apt_install_without_root_or_sudo_says_the_command_to_run(tmp_path: Path) -> None:
    code, err, _ = run("apt-install", "chromium", env=fake_bin(tmp_path, uid=1000))
    assert code == 1
    assert err == [
        "apt-install: installing chromium needs root; run: "
        "sudo apt-get update && sudo apt-get install -y chromium"
    ]
    assert not any(call.startswith("apt-get") for call in calls(tmp_path))


def test_apt_install_goes_through_password_less_sudo(tmp_path: Path) -> None:
    env = fake_bin(tmp_path, uid=1000, sudo_ok=True)
    code, err, _ = run("apt-install", "chromium", env=env)
    assert code == 0, err
    assert calls(tmp_path)[0] == "sudo -n true"
    assert calls(tmp_path)[1].startswith("sudo -n env DEBIAN_FRONTEND=noninteractive apt-get ")
    assert calls(tmp_path)[-1].endswith("install -y --no-install-recommends chromium")


@pytest.mark.parametrize(
    ("python", "message"),
    [
        (
            "missing",
            "setup: {python} not found: install Python 3.11 or newer (Debian: apt-get install "
            "python3 python3-venv) or set PYTHON=/path/to/python3.11",
        ),
        (
            "old",
            "setup: Python 3.11 or newer is needed, {python} is 3.10.12: "
            "set PYTHON=/path/to/python3.11",
        ),
    ],
)
def test_setup_refuses_an_old_or_missing_python_before_installing(
    tmp_path: Path, python: str, message: str
) -> None:
    env = fake_bin(tmp_path)
    interpreter = tmp_path / "bin" / "python3.10"
    if python == "old":
        stand_in(
            tmp_path / "bin",
            "python3.10",
            '#!/usr/bin/env bash\n[[ "$1" == --version ]] && echo "Python 3.10.12"\nexit 1\n',
        )
    env["PYTHON"] = str(interpreter)
    for mode in ((), ("--runtime",)):
        code, err, _ = run("setup", *mode, env=env)
        assert (code, err) == (1, [message.format(python=interpreter)])


def test_setup_for_the_tests_in_ci_refuses_node_18_in_one_line(tmp_path: Path) -> None:
    env = fake_bin(tmp_path) | {"CI": "1"}
    stand_in(
        tmp_path / "bin", "node", '#!/usr/bin/env bash\n[[ "$1" == -e ]] && exit 1\necho v18.19.0\n'
    )
    stand_in(tmp_path / "bin", "npm", "#!/usr/bin/env bash\nexit 0\n")
    code, err, _ = run("setup", env=env)
    assert (code, err) == (
        1,
        [
            "setup: Node 20+ is needed for tests/diagrams, found v18.19.0: install a newer one "
            "(e.g. from https://nodejs.org or NodeSource)"
        ],
    )
    assert calls(tmp_path) == []
