"""Reading printed PDFs back in tests: text per page and the tagged-PDF structure (pypdf)."""

import io

from pypdf import PdfReader


def read_pdf(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pages_text(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in read_pdf(data).pages]


def struct_elements(data: bytes) -> list[str]:
    """The structure types (/S) of every element of the structure tree, depth first."""
    root = read_pdf(data).trailer["/Root"]
    found: list[str] = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "get") and node.get("/S") is not None:
            found.append(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])
        elif hasattr(node, "get") and "/K" in node:
            walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return found
