"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Outside CI they skip with a reason when Chromium or Playwright is missing; in CI they fail instead (decision 6).
A failed test keeps a screenshot and a Playwright trace of each of its browser contexts under test-results/.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import _unavailable

CHROMIUM = Path(os.environ.get("IEP_TEST_CHROMIUM", "/usr/bin/chromium"))  # Debian's; another build may be named
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "test-results"
PASSWORD = "correct horse battery staple"  # tests/factories.py UserFactory
# Chromium reaches out to Google services at start; on a closed network those connections hang or fail loudly.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    if not CHROMIUM.exists():
        _unavailable(f"needs Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("needs Playwright for Python: pip install -e '.[dev]'")
    if not AXE.exists():
        _unavailable(f"needs axe-core at {AXE.relative_to(ROOT)}: npm ci")
    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the test (made
    # synchronously, between browser steps) would otherwise be refused as "async context".
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def new_page(browser, live_server, request) -> Callable:
    """Open a page in a fresh browser context (its own cookies: one person each), traced; kept on failure.

    bypass_csp lets the test inject axe-core into pages served with the app's strict CSP: it only affects
    the test browser, never what the app sends.
    """
    contexts = []

    def open_page(*, accept_downloads: bool = False):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, accept_downloads=accept_downloads)
        context.set_default_timeout(TIMEOUT_MS)
        context.tracing.start(screenshots=True, snapshots=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    failed = any(getattr(request.node, f"rep_{when}", None) is not None
                 and getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for number, context in enumerate(contexts):
        if failed:
            RESULTS.mkdir(exist_ok=True)
            for index, page in enumerate(context.pages):
                try:
                    page.screenshot(path=RESULTS / f"{name}-{number}-{index}.png", full_page=True)
                except Exception:  # noqa: BLE001 - a page that cannot be captured must not hide the failure
                    pass
            context.tracing.stop(path=RESULTS / f"{name}-{number}-trace.zip")
        else:
            context.tracing.stop()
        context.close()


def log_in(page, user, *, next_url: str = "/") -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"sign-in of {user.username} failed"


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page at WCAG 2.1 A and AA; the violations found."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Zero axe violations at WCAG 2.1 AA, or fail listing them (rule, impact, target nodes)."""
    violations = axe_violations(page)
    assert not violations, f"axe found WCAG 2.1 AA violations on {where or page.url}:\n{describe(violations)}"
