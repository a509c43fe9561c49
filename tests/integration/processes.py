"""Start jointcall's api and worker commands as separate processes, as production runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

JOINTCALL = [sys.executable, "-m", "services"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Processes:
    env: dict[str, str]
    log_dir: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def run(self, *args: str) -> None:
        """A one-shot command (e.g. migrate) that must succeed."""
        result = subprocess.run([*JOINTCALL, *args], env=self._env(), capture_output=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"jointcall {' '.join(args)} failed:\n{result.stderr.decode()[-3000:]}")

    def start_api(self, service: str) -> str:
        port = self.ports.setdefault(service, free_port())
        self._spawn(f"api:{service}", "api", service, "--host", "127.0.0.1", "--port", str(port))
        url = f"http://127.0.0.1:{port}"
        self._wait_healthy(f"api:{service}", url)
        if service == "call_definition":  # where the others read a call just published (read-your-writes)
            for reader in ("PROPOSAL_INTAKE", "JOINT_EVALUATION"):
                self.env[f"JOINTCALL_{reader}_CALL_DEFINITION_URL"] = url
        return url

    def start_worker(self, service: str) -> None:
        self._spawn(f"worker:{service}", "worker", service)

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown code runs, as when a node dies."""
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()[-4000:]}" for path in sorted(self.log_dir.glob("*.log")))

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.log_dir / f"{name.replace(':', '-')}.log").open("ab")
        self.running[name] = subprocess.Popen([*JOINTCALL, *args], env=self._env(), stdout=log, stderr=log)

    def _wait_healthy(self, name: str, url: str, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.running[name].poll() is not None:
                raise AssertionError(f"{name} exited:\n{self.logs()}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{name} not ready in {within} s:\n{self.logs()}")
