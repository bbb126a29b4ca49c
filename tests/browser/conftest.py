"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's sync API keeps an event loop running in the test thread, and Django refuses
database calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set (safe here: one
thread, no async code). So Playwright lives only while this package's tests run, with the
variable set meanwhile: pytest-playwright's session-wide fixtures are narrowed to the
package, and the tests that run after these see neither the loop nor the variable.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Launch the system Chromium: Playwright downloads nothing."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install it with apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def playwright(browser_type_launch_args):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            yield playwright


@pytest.fixture(scope="package")
def browser_type(playwright):
    return playwright.chromium


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**(browser_type_launch_args | kwargs))

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(playwright):
    return {"viewport": {"width": 1280, "height": 900}}
