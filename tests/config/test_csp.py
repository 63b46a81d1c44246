"""The strict Content Security Policy, clickjacking protection, and templates that need no CSP exception."""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
OFFENDERS = {
    "inline <script>": INLINE_SCRIPT,
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    'style="" attribute': re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE),
    "inline event handler": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE),
    "hx-on (needs eval)": re.compile(r"""\s(data-)?hx-on[:-]""", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


# Rendered by WeasyPrint into PDFs, never served to a browser, so no CSP applies (their print CSS is inlined so
# that the stored document's cache key covers it).
PRINT_ONLY = ROOT / "templates" / "iep" / "pdf"
PRINT_ONLY_DIRS = (PRINT_ONLY, ROOT / "templates" / "meetings" / "pdf",  # the meeting invitation (docs/meetings.md)
                   ROOT / "templates" / "progress" / "pdf")  # the progress report to the family (progress/pdf.py)


def test_no_template_needs_inline_script_or_style():
    offenders = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}: {what}"
                 for path in sorted((ROOT / "templates").rglob("*.html"))
                 if not any(folder in path.parents for folder in PRINT_ONLY_DIRS)
                 for text in [path.read_text()]
                 for what, pattern in OFFENDERS.items() for match in pattern.finditer(text)]
    assert not offenders, "Templates the CSP would break (move code to static/js, styles to static/css):\n" + \
        "\n".join(offenders)


def test_the_scan_catches_what_it_looks_for():
    sample = '<script>alert(1)</script><p style="color: red" onclick="x()">'
    assert INLINE_SCRIPT.search(sample) and OFFENDERS['style="" attribute'].search(sample)
    assert OFFENDERS["inline event handler"].search(sample)
    assert not INLINE_SCRIPT.search('<script src="/static/htmx/htmx.min.js" defer></script>')


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/students/", "/api/docs/"])
def test_every_page_is_served_with_the_strict_policy(client, personas, path):
    if path != "/accounts/login/":
        client.force_login(personas["district_admin"])
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "http" not in header
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_policy_is_enforced_in_every_environment_not_only_production():
    assert settings.SECURE_CSP and not getattr(settings, "SECURE_CSP_REPORT_ONLY", None)
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_api_docs_load_their_initialiser_from_this_origin(client):
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert not INLINE_SCRIPT.search(html) and "<style" not in html and "//" not in html.split("<body>")[0]
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert client.get("/api/redoc/").url == "/api/docs/"  # Redoc needs inline code: one docs page


def test_htmx_runs_without_eval_and_injects_no_inline_style():
    base = (ROOT / "templates" / "base.html").read_text()
    config = json.loads(re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base).group(1))
    assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
    htmx = settings.NODE_MODULES / "htmx.org" / "dist" / "htmx.js"
    if not htmx.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("node_modules/htmx.org is missing: `make` runs npm ci")
        pytest.skip("needs node_modules (npm ci) to read htmx's source")
    source = htmx.read_text()
    # htmx 2 reads these exact names from <meta name="htmx-config"> at start-up, before it adds its indicator style.
    assert "querySelector('meta[name=\"htmx-config\"]')" in source
    assert "if (htmx.config.allowEval) {" in source
    assert "if (htmx.config.includeIndicatorStyles !== false) {" in source
    assert re.search(r"mergeMetaConfig\(\)\s+insertIndicatorStyles\(\)", source)


@pytest.mark.django_db
def test_every_page_links_a_favicon_that_the_policy_allows(client):
    """A small SVG from this origin (img-src 'self'), with nothing in it that a strict policy would refuse."""
    import xml.etree.ElementTree as ET

    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/accounts/login/", follow=True)
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', response.content.decode())
    assert response.status_code == 200 and link and link.group(1) == static("favicon.svg")
    assert "'self'" in _policy(response)["img-src"] and link.group(1).startswith("/")  # same origin
    path = finders.find("favicon.svg")
    assert path and os.path.getsize(path) < 2048
    svg = ET.parse(path).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 32 32"
    elements = list(svg.iter())
    assert len(elements) > 2 and not any(el.tag.endswith(("script", "style", "foreignObject")) for el in elements)
    assert not any(name == "style" or name.startswith("on") or "href" in name
                   for el in elements for name in el.attrib)
