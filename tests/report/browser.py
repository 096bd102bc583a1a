"""Headless Debian Chromium for the report tests: one way to open a report file offline and
collect every request it made and every error it logged, so each test asserts only on what
its page shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


@dataclass
class OfflinePage:
    """The open page, the URLs it requested and the console and page errors it logged."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def open_offline(path: Path, width: int = 1280, height: int = 900) -> Iterator[OfflinePage]:
    """Open ``path`` (a file) in headless Chromium, recording requests and errors."""
    playwright = pytest.importorskip("playwright.sync_api")
    SCREENSHOTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            seen = OfflinePage(page)
            page.on("request", lambda r: seen.requests.append(r.url))
            page.on("console",
                    lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            page.goto(path.as_uri())
            yield seen
        finally:
            browser.close()


def wait_rendered(page: Any, ready: bool = True, timeout: int = 15_000) -> None:
    """Wait until the report's script has run (``body[data-ready='1']``, when ``ready``) and
    every image has loaded with a size."""
    if ready:
        page.wait_for_selector("body[data-ready='1']", timeout=timeout)
    page.wait_for_function(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        timeout=timeout,
    )
