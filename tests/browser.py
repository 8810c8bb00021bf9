"""Debian's chromium driven by Playwright (never a downloaded browser), for page tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
OUTPUT = Path(__file__).parent / "output"  # screenshots, gitignored


@contextmanager
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(locale: str = "ja-JP", width: int = 1100, height: int = 1400):
    with chromium() as browser:
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        yield context.new_page()


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path), full_page=True)
    return path


def scroll_width(page) -> int:
    """How wide the page's content is, in CSS pixels (wider than the screen: it scrolls sideways)."""
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def assert_fits(page, width: int | None = None) -> None:
    """Nothing wider than `width` (by default the page's own visible width, without its
    scrollbar): the page never scrolls sideways; tables scroll inside their own box."""
    limit = width if width is not None else page.evaluate("document.documentElement.clientWidth")
    wide = scroll_width(page)
    assert wide <= limit, f"the page is {wide} px wide on a {limit} px screen"


def new_page(browser, width: int, locale: str | None = "ja-JP", height: int | None = None, **options):
    """A page in a context of its own (its own cookies), `width` wide; below 600 px a phone's
    (taller, touch, mobile viewport). `options`: more of Playwright's new_context arguments."""
    phone = width < 600
    context = browser.new_context(
        locale=locale,
        viewport={"width": width, "height": height or (844 if phone else 900)},
        **{"is_mobile": phone, **options},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page
