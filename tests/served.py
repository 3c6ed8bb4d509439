"""`bpmn-sales serve` as a real process on a free port, for tests of what a user runs."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.local_servers import free_port


def fetch(url: str, token: str | None = None) -> tuple[int, bytes]:
    """GET url: (status, body); an HTTP error status is returned, not raised."""
    assert url.startswith("http://127.0.0.1:"), url
    request = urllib.request.Request(url)  # noqa: S310 (checked above)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


@contextmanager
def serving(
    command: Path, env: dict[str, str], cwd: Path, log: Path, timeout: float = 90
) -> Iterator[str]:
    """Run `command serve` on a free port until the block ends (its output in `log`); yield
    its base URL once the sign-in page answers."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(command), "serve", "--port", str(port), "--threads", "2"],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert server.poll() is None, f"serve exited: {log.read_text(errors='replace')}"
            try:
                if fetch(f"{base}/sign-in")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"serve did not answer: {log.read_text()}"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
