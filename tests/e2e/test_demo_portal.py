"""`jointcall demo --portal`: after the demo the embedded system stays up with the finished call, the link and
the roles to sign in as are printed, the pages show the call, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.processes import free_port


def test_the_finished_call_stays_open_in_the_portal_until_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "services", "demo", "--proposals", "12", "--portal", "--port", str(port)]
    command += ["--out", str(tmp_path / "out")]
    demo = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert demo.stdout is not None
        printed = []
        give_up = time.monotonic() + 110
        while time.monotonic() < give_up and (line := demo.stdout.readline()):
            printed.append(line)
            if line.startswith("Ctrl-C stops it."):
                break
        text = "".join(printed)
        assert f"is open in the portal: http://127.0.0.1:{port}/" in text, text[-2000:]
        assert "  - agency" in text and "  - region, scope" in text and "  - consortium, scope" in text
        code = re.search(r"The finished call (\S+) is open", text)
        assert code and (tmp_path / "out" / "results.json").exists()  # the files are written before serving

        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True, timeout=30) as browser:
            sign_in = browser.get("/sign-in")
            token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in.text)
            assert token
            browser.post("/sign-in", data={"csrf_token": token.group(1), "role": "agency", "scope": ""})
            calls = browser.get("/secretariat/calls")
            assert calls.status_code == 200 and code.group(1) in calls.text
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
