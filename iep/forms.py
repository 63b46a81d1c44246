from django import forms

from accounts.models import User

from .models import IEP, Evaluation


class DateInput(forms.DateInput):
    input_type = "date"


class IEPHeaderForm(forms.ModelForm):
    """The IEP header, edited by the chair. The case manager is chosen among the Team."""

    class Meta:
        model = IEP
        fields = ["meeting_type", "start_date", "end_date", "meeting_date", "last_evaluation_date", "case_manager"]
        widgets = {name: DateInput for name in ("start_date", "end_date", "meeting_date", "last_evaluation_date")}
        help_texts = {"end_date": "Leave empty for one year less a day after the start."}

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = User.objects.filter(team_memberships__student=student)
        self.fields["end_date"].required = False
        self.fields["case_manager"].required = False

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The IEP period must end after it starts.")
        return data

    def _post_clean(self):  # the service validates the whole IEP; the form only checks its own fields
        pass


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["area", "evaluator_name", "evaluator_role", "consent_date", "completion_date",
                  "summary_to_parents_date", "key_results"]
        widgets = {name: DateInput for name in ("consent_date", "completion_date", "summary_to_parents_date")}
        help_texts = {"key_results": "Up to 4,000 characters."}

    def clean(self):
        data = super().clean()
        consent, completed = data.get("consent_date"), data.get("completion_date")
        if consent and completed and completed < consent:
            self.add_error("completion_date", "The evaluation cannot be completed before consent.")
        return data

    def _post_clean(self):
        pass


class BreakLockForm(forms.Form):
    """Why the chair or an administrator takes a section away from its holder (kept in the lock history)."""

    reason = forms.CharField(label="Reason for breaking the lock", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why you are breaking the lock."},
                             help_text="The holder is told this reason; their unsaved draft is kept for them.")
