from .iep import IEP, AgeStrand, Evaluation
from .locks import LockNotice, SectionDraft, SectionLock, SectionLockEvent
from .sections import Section

__all__ = ["IEP", "AgeStrand", "Evaluation", "LockNotice", "Section", "SectionDraft", "SectionLock",
           "SectionLockEvent"]
