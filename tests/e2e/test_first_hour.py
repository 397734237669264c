"""The README's first-hour path, as a new user walks it: `make run`, log in with the toot command
line using the printed credentials, post, and open the printed URL in a real (headless) browser;
then the profile behind the author's link and the front page. A private status's URL is a
not-found page there, as the API's 404."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.e2e.browser import headless_chromium, needs_chromium
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = needs_chromium


def og(driver: webdriver.Chrome, name: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, f'meta[property="{name}"]').get_attribute("content")


def test_make_run_toot_login_post_and_open_the_printed_url(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MAKEFLAGS", "TOOTLOG_DOMAIN", "TOOTLOG_SCHEME")
        and not k.startswith("TOOT_")
    }
    port = free_port()
    env.update(PORT=str(port), TOOTLOG_DATA_DIR=str(tmp_path / "data"))
    log = tmp_path / "run.log"
    with log.open("w") as out:
        make = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdout=out, stderr=out)
    driver = None
    try:
        deadline = time.monotonic() + 180
        while "toot login_cli" not in log.read_text():
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        printed = log.read_text()
        login = re.search(
            r"toot login_cli --instance (\S+) --email (\S+) --password (\S+)", printed
        )
        base, email, password = login.groups()
        while True:  # the greeting comes just before uvicorn listens
            try:
                httpx.get(base, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        toot_env = {
            **env,
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }

        def toot(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "toot", *args],
                env=toot_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, f"toot {args}:\n{done.stdout}\n{done.stderr}"
            return done.stdout

        assert "Successfully logged in" in toot(
            "login_cli", "--instance", base, "--email", email, "--password", password
        )
        posted = toot("post", "Hello from the first hour")
        url = re.search(r"(https?://\S+/@demo/\d+)", posted).group(1)
        hidden = toot("post", "--visibility", "private", "Only for followers")
        hidden_url = re.search(r"(https?://\S+/@demo/\d+)", hidden).group(1)

        driver = headless_chromium()
        driver.get(url)
        assert "Hello from the first hour" in driver.find_element(By.TAG_NAME, "main").text
        assert og(driver, "og:title") == "Demo (@demo)"
        assert og(driver, "og:description") == "Hello from the first hour"
        assert og(driver, "og:url") == url
        driver.find_element(By.CSS_SELECTOR, "article.focus a.name").click()
        assert driver.current_url.rstrip("/").endswith("/@demo")
        profile = driver.find_element(By.TAG_NAME, "main").text
        assert "Hello from the first hour" in profile and "Only for followers" not in profile
        driver.get(hidden_url)
        assert driver.title == "Not found"
        assert httpx.get(hidden_url).status_code == 404
        driver.get(base + "/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "tootlog"
    finally:
        if driver is not None:
            driver.quit()
        make.terminate()
        try:
            make.wait(timeout=30)
        except subprocess.TimeoutExpired:
            make.kill()
