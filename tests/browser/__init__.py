"""Browser tests: Playwright driving Debian's headless Chromium against `parcours serve`."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request

import pytest

LOGIN = re.compile(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)")


def read_login(process: subprocess.Popen, seconds: float = 90) -> str:
    """The login address `parcours serve` prints, read from its output (fails the test with
    what it printed when none comes within ``seconds``)."""
    login, printed, deadline = None, [], time.monotonic() + seconds
    while login is None and time.monotonic() < deadline:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            break
        printed.append(line)
        found = LOGIN.search(line)
        login = found.group(1) if found else None
    if login is None:
        pytest.fail("parcours serve printed no login address:\n" + "".join(printed))
    base = login.split("/?")[0]
    while time.monotonic() < deadline:  # printed once started; listening a moment later
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                if answer.status == 200:
                    return login
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"parcours serve printed {login} but {base}/health never answered")
