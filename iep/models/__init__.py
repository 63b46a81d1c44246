from .iep import IEP, AgeStrand, Evaluation
from .sections import Section

__all__ = ["IEP", "AgeStrand", "Evaluation", "Section"]

# Printed documents (issue 8)
from .documents import RenderedDocument  # noqa: E402

__all__ += ["RenderedDocument"]
