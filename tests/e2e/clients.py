"""Real clients as a user starts them: Mastodon.py (an app registered, then a password login) and
the toot command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mastodon import Mastodon

from tests.support import LiveServer, User


def mastodon_py(server: LiveServer, user: User, app_name: str = "tootlog e2e") -> Mastodon:
    """Mastodon.py logged in as `user` (e-mail and password), as its documentation does it."""
    client_id, client_secret = Mastodon.create_app(app_name, api_base_url=server.base_url)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    api.log_in(f"{user.username}@example.org", "secret-pw")
    return api


class Toot:
    """`toot ...` in a subprocess whose configuration and cache live in a directory of its own."""

    def __init__(self, home: Path, server: LiveServer) -> None:
        self.home = home
        self.server = server
        # toot reads every option from TOOT_* variables too; none of the caller's may leak in.
        env = {key: value for key, value in os.environ.items() if not key.startswith("TOOT_")}
        self.env = {
            **env,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
        }
        # toot names a login after the instance's `uri`, which is the server's own address.
        self.instance = f"127.0.0.1:{server.port}"

    def run(self, *args: str, user: User | None = None) -> subprocess.CompletedProcess[str]:
        as_user = ["--as", f"{user.username}@{self.instance}"] if user else []
        return subprocess.run(
            [sys.executable, "-m", "toot", *as_user, *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(self, *args: str, user: User | None = None) -> str:
        done = self.run(*args, user=user)
        assert done.returncode == 0, f"toot {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def json(self, *args: str, user: User | None = None) -> dict | list:
        return json.loads(self.ok(*args, "--json", user=user))

    def log_in(self, *users: User) -> None:
        """`toot login_cli` with each user's e-mail and password; the last one is active."""
        for user in users:
            out = self.ok(
                "login_cli",
                "--instance",
                self.server.base_url,
                "--email",
                f"{user.username}@example.org",
                "--password",
                "secret-pw",
            )
            assert "Successfully logged in" in out

    def config(self) -> dict:
        return json.loads((self.home / "config" / "toot" / "config.json").read_text())
