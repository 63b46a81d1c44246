"""What a reader sees on a printed page, checked from word and line positions (pdfplumber).

`layout_violations(pdf, pairs)` lists, in words, every place where:
- a word lies outside the page's content box (or, in the margins, is not running header/footer text);
- two words overlap (the DRAFT watermark, an artifact, aside);
- a ruled line (a table border, a heading's rule) crosses a word;
- something other than the heading stands on a heading's line;
- an answer does not start on its question's line(s) or the line after (`pairs`: (question, answer) texts in
  reading order; the answer is found by its first word, so tests fill answers with unique sentinel words).
The geometry is the stylesheet's (templates/iep/pdf/print.css): Letter, margins 0.9in 0.7in 0.8in 0.7in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

INCH = 72
MARGINS = {"top": 0.9 * INCH, "right": 0.7 * INCH, "bottom": 0.8 * INCH, "left": 0.7 * INCH}
RUNNING_MAX_SIZE = 9.1        # running header/footer text (8.5pt) and the DRAFT mark (9pt)
HEADING_MIN_SIZE = 10.9       # h3 11pt and up; body text is 10pt, tables 8.5-9pt
WATERMARK_MIN_SIZE = 40       # the DRAFT watermark is 150pt and rotated
TOLERANCE = 0.75              # points: rounding of positions
ANSWER_WINDOW = 4000          # words searched for an answer after its question


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def where(self) -> str:
        return f"page {self.page}, ({self.x0:.0f}, {self.top:.0f})"


def _words(page, number: int) -> list[Word]:
    words = []
    for w in page.extract_words(extra_attrs=["size", "fontname", "upright"], keep_blank_chars=False,
                                use_text_flow=False):
        if not w["upright"] or w["size"] >= WATERMARK_MIN_SIZE:
            continue  # the watermark: an artifact, drawn under the text on purpose
        words.append(Word(number, w["text"], w["x0"], w["x1"], w["top"], w["bottom"], round(w["size"], 2),
                          "Bold" in w["fontname"]))
    return words


def read_words(pdf: bytes) -> tuple[list[Word], list[tuple[int, float, float, list]]]:
    """Every word of the document in reading order per page, and each page's (number, width, height, edges)."""
    words, pages = [], []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            words.extend(_words(page, number))
            pages.append((number, float(page.width), float(page.height), page.edges))
    return words, pages


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _outside_content_box(words: list[Word], width: float, height: float) -> list[str]:
    left, right = MARGINS["left"], width - MARGINS["right"]
    top, bottom = MARGINS["top"], height - MARGINS["bottom"]
    found = []
    for w in words:
        if w.x0 < left - TOLERANCE or w.x1 > right + TOLERANCE or w.top < 0 or w.bottom > height:
            found.append(f"{w.where()}: {w.text!r} is outside the content box")
        elif w.bottom > top + TOLERANCE and w.top < bottom - TOLERANCE:
            if w.top < top - TOLERANCE or w.bottom > bottom + TOLERANCE:
                found.append(f"{w.where()}: {w.text!r} crosses the edge of the content box")
        elif w.size > RUNNING_MAX_SIZE:
            found.append(f"{w.where()}: {w.text!r} stands in the page margin")
    return found


def _overlapping(words: list[Word]) -> list[str]:
    found = []
    ordered = sorted(words, key=lambda w: w.top)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.top >= a.bottom - TOLERANCE:
                break
            if (_overlap(a.x0, a.x1, b.x0, b.x1) > TOLERANCE
                    and _overlap(a.top, a.bottom, b.top, b.bottom) > TOLERANCE):
                found.append(f"{a.where()}: {a.text!r} overlaps {b.text!r}")
    return found


def _crossed_by_lines(words: list[Word], edges: list) -> list[str]:
    found = []
    for e in edges:
        if e["orientation"] == "h":
            y = e["top"]
            hit = [w for w in words if w.top + 1.5 < y < w.bottom - 1.5
                   and _overlap(w.x0, w.x1, e["x0"], e["x1"]) > TOLERANCE]
        else:
            x = e["x0"]
            hit = [w for w in words if w.x0 + 1 < x < w.x1 - 1
                   and _overlap(w.top, w.bottom, e["top"], e["bottom"]) > 1.5]
        found += [f"{w.where()}: a ruled line crosses {w.text!r}" for w in hit]
    return found


def _on_heading_lines(words: list[Word]) -> list[str]:
    headings = [w for w in words if w.bold and HEADING_MIN_SIZE <= w.size]
    found = []
    for h in headings:
        for w in words:
            if w.size >= HEADING_MIN_SIZE and w.bold:
                continue
            if _overlap(w.top, w.bottom, h.top, h.bottom) > 0.3 * min(w.height, h.height):
                found.append(f"{w.where()}: {w.text!r} stands on the line of the heading word {h.text!r}")
    return found


def _same(word: Word, token: str) -> bool:
    """The word is the token, or the start of it where a long token was wrapped inside its column."""
    return word.text == token or (len(word.text) >= min(len(token), 6) and token.startswith(word.text))


def _find(words: list[Word], tokens: list[str], start: int) -> tuple[int, int] | None:
    """Index of the first and last word of `tokens` from `start`; other words may come between (a table row's
    other cells share its lines), but each token is looked for near the previous one."""
    while True:
        first = next((i for i in range(start, len(words)) if _same(words[i], tokens[0])), None)
        if first is None:
            return None
        last = first
        for token in tokens[1:]:
            last = next((i for i in range(last + 1, min(len(words), last + 200)) if _same(words[i], token)), -1)
            if last < 0:
                break
        else:
            return first, last
        start = first + 1


def _answers_misplaced(words: list[Word], pairs: list[tuple[str, str]]) -> list[str]:
    words = [w for w in words if not (w.bold and w.size >= HEADING_MIN_SIZE)]  # a question is never a heading
    found, cursor = [], 0
    for question, answer in pairs:
        tokens = question.split()
        place = _find(words, tokens, cursor)
        if place is None:
            found.append(f"the question {question[:60]!r} is not printed (or not in order)")
            continue
        first, last = place
        head = answer.split()[0]
        at = next((i for i in range(first, min(len(words), first + ANSWER_WINDOW)) if _same(words[i], head)), None)
        cursor = first + 1
        if at is None:
            found.append(f"the answer to {question[:60]!r} ({head!r}) is not printed after it")
            continue
        q0, q1, a = words[first], words[last], words[at]
        on_its_lines = q0.top - TOLERANCE - a.height <= a.top <= q1.bottom + 0.6 * a.height
        if a.page != q1.page or not on_its_lines:
            found.append(f"{a.where()}: the answer to {question[:60]!r} does not start on its line or the next "
                         f"(question ends {q1.where()})")
    return found


def layout_violations(pdf: bytes, pairs: list[tuple[str, str]] = ()) -> list[str]:
    """Every layout fault of the document `pdf` (see the module docstring); empty when the layout holds."""
    words, pages = read_words(pdf)
    found = []
    for number, width, height, edges in pages:
        on_page = [w for w in words if w.page == number]
        found += _outside_content_box(on_page, width, height)
        found += _overlapping(on_page)
        found += _crossed_by_lines(on_page, edges)
        found += _on_heading_lines(on_page)
    found += _answers_misplaced(words, list(pairs))
    return found


def save_png(pdf: bytes, path: Path, page: int = 0, resolution: int = 72) -> Path:
    """One rendered page as a PNG for people to look at (pypdfium2 through pdfplumber); not compared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        document.pages[page].to_image(resolution=resolution).save(str(path))
    return path
