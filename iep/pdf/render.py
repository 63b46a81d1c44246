"""HTML and PDF of a printed IEP document. WeasyPrint only; no Django models here beyond the context.

Speed (bench/pdf.py): the FontConfiguration is built once per process and reused, so a warm worker does
not reload fonts; PDF/UA-1 output is tagged (structure tree, /Lang, title, /MarkInfo).
"""

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# Bump when a template or the stylesheet changes what a document looks like: it is part of the cache key,
# so stored files printed by an older template are not served for new requests.
TEMPLATE_VERSION = "2026-12-02.1"
TEMPLATES = {"summary": "iep/pdf/summary.html", "full": "iep/pdf/full.html", "glance": "iep/pdf/glance.html"}
TITLES = {"summary": "Team meeting summary", "full": "Individualized Education Program",
          "glance": "IEP at a glance (confidential)"}
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/liberation2"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "full_fonts": False, "hinting": False}

_font_config = None
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per step and page otherwise


def font_dir() -> str:
    """Where the printed fonts are (Debian's fonts-liberation2 unless IEP_PDF_FONT_DIR says otherwise)."""
    return str(getattr(settings, "IEP_PDF_FONT_DIR", "") or DEFAULT_FONT_DIR)


def check_fonts() -> list[str]:
    """The font files the stylesheet needs that are missing (empty when printing can start)."""
    names = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf")
    return [str(Path(font_dir()) / name) for name in names if not (Path(font_dir()) / name).exists()]


def css_string(value: str) -> str:
    """`value` as the inside of a CSS string: only plain characters stay, every other one is a CSS escape,
    so a quote or `</style>` in a name can neither end the string nor the style element."""
    return mark_safe("".join(ch if ch.isascii() and (ch.isalnum() or ch in " ,.:/()-") else f"\\{ord(ch):x} "
                             for ch in value))


def shortened(value: str, limit: int) -> str:
    """`value` cut to `limit` characters with an ellipsis: a running header or footer holds one line."""
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "…"


def render_html(context: dict) -> str:
    student = context["student"]
    name = f"{student.last_name}, {student.first_name}" + (f" {student.middle_name}" if student.middle_name else "")
    running = {"running_name": css_string(shortened(name, 48)),
               "running_dob": css_string(f"{student.date_of_birth:%m/%d/%Y}"),
               "running_title": css_string(shortened(f"{student.district.name}: {TITLES[context['kind']]}", 90))}
    return render_to_string(TEMPLATES[context["kind"]], {**context, **running, "font_dir": font_dir()})


def cache_key(kind: str, html: str) -> str:
    """sha256 over the template version, the kind and the printed HTML: everything printed (decision 13)."""
    digest = hashlib.sha256()
    for part in (TEMPLATE_VERSION, kind, str(PDF_OPTIONS)):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(html.encode())
    return digest.hexdigest()


def font_configuration():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def warm_up() -> None:
    """Load the fonts and compile the templates once, so a fresh worker's first document is not slower."""
    render_pdf("<html lang='en'><head><title>warm-up</title><style>@font-face { font-family: 'IEP Sans'; "
               f"src: url('{font_dir()}/LiberationSans-Regular.ttf'); }} html {{ font-family: 'IEP Sans'; }}"
               "</style></head><body><h1>Warm-up</h1><table><tr><th>a</th><td>b</td></tr></table></body></html>")


def render_pdf(html: str, **options) -> bytes:
    """The PDF of `html`: Letter, tagged PDF/UA-1, fonts from font_dir()."""
    from weasyprint import HTML

    return HTML(string=html, base_url=font_dir()).write_pdf(font_config=font_configuration(),
                                                            **{**PDF_OPTIONS, **options})
