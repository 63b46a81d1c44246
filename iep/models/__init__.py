from .iep import IEP, AgeStrand, Evaluation
from .sections import Section

__all__ = ["IEP", "AgeStrand", "Evaluation", "Section"]
