"""Headless Chromium through Playwright, with the machine's own browser.

Playwright cannot download its browser builds offline, so the executable comes from
DENSE_PARITY_CHROMIUM or the PATH (Debian's ``chromium``).
"""

from __future__ import annotations

import fcntl
import hashlib
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


PROFILES = 4  # persistent profiles per checkout and runtime; a launch takes the first one no other Chromium holds


def claim_profile(key: str):
    """(folder, open lock file) of a persistent Chromium profile that no other launch holds, or None.

    A profile keeps V8's compiled-WebAssembly cache between runs, so Pyodide's core is compiled once,
    not at every cold start; the lock is held while the browser runs (two Chromiums cannot share one)."""
    from ...paths import CACHE_DIR, REPO

    base = CACHE_DIR / "chromium-profiles" / hashlib.sha256(str(REPO).encode()).hexdigest()[:12]
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for n in range(PROFILES):  # one set per key (the runtime's name), so a runtime finds its own cache again
        lock = open(base / f"{key}-{n}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return base / f"{key}-{n}", lock
    return None


def find_browser(env: str, names: tuple[str, ...] | list[str], title: str, debian_package: str) -> str:
    """$env when set (it must be an executable file), else the first of ``names`` on PATH; else
    BrowserUnavailable saying what was looked for and what to install."""
    configured = os.environ.get(env)
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise BrowserUnavailable(f"{env}={configured} is not an executable file")
        return configured
    found = next((path for path in map(shutil.which, names) if path), None)
    if found is None:
        raise BrowserUnavailable(f"no {title} found (looked for {', '.join(names)} on PATH). Install Debian's "
                                 f"`{debian_package}` (apt-get install {debian_package}) or set {env} to a {title} "
                                 f"executable")
    return found


def chromium_path() -> str:
    return find_browser(CHROMIUM_ENV, CHROMIUM_NAMES, "Chromium", "chromium")


class Chromium:
    """One Playwright driver and one browser, shared by every page of a run or a test session.

    With ``endpoint`` (``ws://host:port/``, a Playwright browser server such as
    ``python -m playwright run-server --unsafe``) the browser runs there instead: launched by that
    server with this machine's launch options, and given this machine's loopback
    (``expose_network``), so its pages still load from the static server here.
    """

    def __init__(self, endpoint: str | None = None, profile: str | None = None) -> None:
        """``profile``: launch with that runtime's persistent profile (claim_profile) when one is free,
        for its compiled-WebAssembly cache; its pages then share one context (a runtime's own browser
        only: pages of a shared browser must not share storage)."""
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.context, self._profile_lock = None, None
        try:
            claimed = claim_profile(profile) if profile and not endpoint else None
            if claimed:
                self.executable = chromium_path()
                folder, self._profile_lock = claimed
                try:
                    self.context = self._playwright.chromium.launch_persistent_context(
                        str(folder), executable_path=self.executable, args=CHROMIUM_ARGS, headless=True)
                except Exception:  # a profile still held by a Chromium on its way out: a fresh one instead
                    self._profile_lock.close()
                    self._profile_lock, claimed = None, None
            if claimed:
                self.browser = self.context.browser  # None for a persistent context
            elif endpoint:
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
            if self._profile_lock is not None:
                self._profile_lock.close()
            where = f"the browser server at {endpoint}" if endpoint else self.executable
            raise BrowserUnavailable(f"could not launch or reach {where}: {str(exc).splitlines()[0]}") from exc

    @property
    def version(self) -> str:
        if self.browser is not None:
            return self.browser.version
        page = self.context.pages[0] if self.context.pages else self.context.new_page()
        product = self.context.new_cdp_session(page).send("Browser.getVersion")["product"]
        return product.split("/", 1)[-1]

    def is_connected(self) -> bool:
        if self.browser is not None:
            return self.browser.is_connected()
        try:  # a persistent context has no Browser object to ask
            self.context.pages
            return True
        except Exception:
            return False

    def new_page(self, **kwargs):
        if self.context is None:
            return self.browser.new_page(**kwargs)
        page = self.context.new_page()
        if kwargs.get("viewport"):
            page.set_viewport_size(kwargs["viewport"])
        return page

    def close(self) -> None:
        try:
            (self.context or self.browser).close()
        finally:
            self._playwright.stop()
            if self._profile_lock is not None:
                self._profile_lock.close()

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
