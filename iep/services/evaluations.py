"""Writes of the student's evaluation history."""

from django.db import transaction

from accounts.models import User
from students.models import Student

from ..exceptions import InvalidContent
from ..models import Evaluation

EVALUATION_FIELDS = ("area", "evaluator_name", "evaluator_role", "consent_date", "completion_date",
                     "summary_to_parents_date", "key_results")


def _check(evaluation: Evaluation) -> None:
    if evaluation.consent_date and evaluation.completion_date and evaluation.completion_date < evaluation.consent_date:
        raise InvalidContent({"completion_date": ["The evaluation cannot be completed before consent."]})
    if evaluation.area not in Evaluation.Area.values:
        raise InvalidContent({"area": ["Choose one of the listed areas."]})


@transaction.atomic
def evaluation_create(*, student: Student, user: User, **fields) -> Evaluation:
    """Add an assessment to the student's evaluation history."""
    evaluation = Evaluation(student=student, **{k: v for k, v in fields.items() if k in EVALUATION_FIELDS})
    _check(evaluation)
    evaluation._history_user = user
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, user: User, **fields) -> Evaluation:
    """Change the fields given of one assessment."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    for name, value in fields.items():
        if name in EVALUATION_FIELDS:
            setattr(evaluation, name, value)
    _check(evaluation)
    evaluation._history_user = user
    evaluation.save()
    return evaluation
