from .iep import IEP, AgeStrand, Evaluation
from .locks import LockNotice, SectionDraft, SectionLock, SectionLockEvent
from .sections import Section

__all__ = ["IEP", "AgeStrand", "Evaluation", "LockNotice", "Section", "SectionDraft", "SectionLock",
           "SectionLockEvent"]


# Printed documents (issue 8)
from .documents import RenderedDocument  # noqa: E402

__all__ += ["RenderedDocument"]
