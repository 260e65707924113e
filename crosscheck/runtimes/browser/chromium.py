"""Headless Chromium through Playwright, with the machine's own browser.

Playwright cannot download its browser builds offline, so the executable comes from
DENSE_PARITY_CHROMIUM or the PATH (Debian's ``chromium``).
"""

from __future__ import annotations

import json
import os
import shutil

CHROMIUM_ENV = "DENSE_PARITY_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless as root needs --no-sandbox; the network flags stop Chromium's own background
# traffic, which a closed network refuses many times over.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


class BrowserUnavailable(RuntimeError):
    pass


def chromium_path() -> str:
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise BrowserUnavailable(f"{CHROMIUM_ENV}={configured} is not an executable file")
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(f"no Chromium found (looked for {', '.join(CHROMIUM_NAMES)} on PATH). Install Debian's "
                             f"`chromium` (apt-get install chromium) or set {CHROMIUM_ENV} to a Chromium executable")


class Chromium:
    """One Playwright driver and one browser, shared by every page of a run or a test session.

    With ``endpoint`` (``ws://host:port/``, a Playwright browser server such as
    ``python -m playwright run-server --unsafe``) the browser runs there instead: launched by that
    server with this machine's launch options, and given this machine's loopback
    (``expose_network``), so its pages still load from the static server here.
    """

    def __init__(self, endpoint: str | None = None) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            if endpoint:
                self.executable = os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium"
                options = {"executablePath": self.executable, "args": CHROMIUM_ARGS, "headless": True}
                self.browser = self._playwright.chromium.connect(
                    endpoint, expose_network="<loopback>",
                    headers={"x-playwright-launch-options": json.dumps(options)})
            else:
                self.executable = chromium_path()
                self.browser = self._playwright.chromium.launch(executable_path=self.executable,
                                                                args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:
            self._playwright.stop()
            where = f"the browser server at {endpoint}" if endpoint else self.executable
            raise BrowserUnavailable(f"could not launch or reach {where}: {str(exc).splitlines()[0]}") from exc

    @property
    def version(self) -> str:
        return self.browser.version

    def new_page(self, **kwargs):
        return self.browser.new_page(**kwargs)

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._playwright.stop()

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
