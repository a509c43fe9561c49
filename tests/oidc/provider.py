"""A real OpenID provider for the tests: oidc-provider (npm, OpenID-certified) run with the machine's Node.js.

In CI (CI=true) the tests fail when Node.js or the package is missing (.ci/run installs it with `npm ci` in
tests/oidc); elsewhere they skip, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import ECKey, RSAKey

from tests.integration.processes import free_port

HERE = Path(__file__).parent
SCRIPT = HERE / "provider.mjs"
MODULE = HERE / "node_modules" / "oidc-provider" / "package.json"
NEEDS = "needs Node.js (node) and oidc-provider (npm ci in tests/oidc), as .ci/run installs"

CLIENT_ID = "jointcall-portal"
CLIENT_SECRET = "jointcall-portal-test-secret"
AUDIENCE = "https://api.jointcall.test"
API_SCOPE = "jointcall"


def require_node() -> str:
    """The path of `node`; fails the test in CI and skips it elsewhere if Node.js or oidc-provider is missing."""
    node = shutil.which("node")
    missing = "node" if node is None else (None if MODULE.exists() else str(MODULE.parent))
    if missing is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{missing} missing: {NEEDS}", pytrace=False)
        pytest.skip(f"{missing} missing: {NEEDS}")
    assert node is not None
    return node


def signing_keys() -> list[dict[str, Any]]:
    """A fresh RSA and EC P-256 signing key (private JWKs), each with a new key id."""
    suffix = uuid.uuid4().hex[:8]
    rsa = RSAKey.generate_key(2048, {"kid": f"rsa-{suffix}", "use": "sig", "alg": "RS256"}, private=True)
    ec = ECKey.generate_key("P-256", {"kid": f"ec-{suffix}", "use": "sig", "alg": "ES256"}, private=True)
    return [dict(rsa.as_dict(private=True)), dict(ec.as_dict(private=True))]


@dataclass
class OpenIdProvider:
    """One provider process; `restart` starts it again on the same issuer, e.g. with new keys."""

    node: str
    workdir: Path
    redirect_uri: str
    post_logout_redirect_uri: str
    accounts: dict[str, dict[str, Any]]
    port: int = field(default_factory=free_port)
    keys: list[dict[str, Any]] = field(default_factory=signing_keys)
    access_token_alg: str = "RS256"
    access_token_ttl_s: int = 600
    process: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def kids(self) -> list[str]:
        return [str(key["kid"]) for key in self.keys]

    def start(self) -> None:
        config = {
            "issuer": self.issuer,
            "port": self.port,
            "keys": self.keys,
            "access_token_alg": self.access_token_alg,
            "access_token_ttl_s": self.access_token_ttl_s,
            "audience": AUDIENCE,
            "api_scope": API_SCOPE,
            "accounts": self.accounts,
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [self.redirect_uri],
                "post_logout_redirect_uris": [self.post_logout_redirect_uri],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            },
        }
        path = self.workdir / f"provider-{self.port}.json"
        path.write_text(json.dumps(config))
        self.process = subprocess.Popen(
            [self.node, str(SCRIPT), str(path)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()

        def read(stream: Any) -> None:
            for line in stream:
                self.output.append(line.rstrip())
                if line.startswith("listening "):
                    ready.set()

        threading.Thread(target=read, args=(self.process.stdout,), daemon=True).start()
        if not ready.wait(30):
            self.stop()
            raise RuntimeError("the OpenID provider did not start:\n" + "\n".join(self.output))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None

    def restart(self, **changes: Any) -> None:
        self.stop()
        for name, value in changes.items():
            setattr(self, name, value)
        self.start()
