from django import forms

from accounts.models import User
from students.models import Guardian

from .models import ProgressDocument, ProgressReport


class DateInput(forms.DateInput):
    input_type = "date"


class MarkingPeriodForm(forms.Form):
    school = forms.ModelChoiceField(queryset=None, required=False, empty_label="Every school of the district",
                                    help_text="A school's own periods replace the district's for that school year.")
    school_year = forms.CharField(max_length=9, help_text="YYYY-YY, e.g. 2025-26")
    name = forms.CharField(max_length=60, help_text="e.g. Term 1, Quarter 2")
    start = forms.DateField(widget=DateInput)
    end = forms.DateField(widget=DateInput)
    report_due = forms.DateField(label="Report due to families", widget=DateInput)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = district.schools.order_by("name")


class PeriodImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text=(
        "Columns: school_code, school_year, name, start, end, report_due (dates YYYY-MM-DD; empty school_code: "
        "the whole district)."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 500_000:
            raise forms.ValidationError("The file is larger than 500 kB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


BENCHMARK_CHOICES = [("", "Not reported"), *ProgressReport.BenchmarkStatus.choices]


class ReportForm(forms.Form):
    """One goal's report, written in place on the worklist. Field limits match the service's."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    narrative = forms.CharField(label="Progress made toward the goal", required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="What the student can do now, and the data behind it. "
                                          "Up to 4,000 characters.")
    measured_value = forms.DecimalField(label="Measured value", required=False, max_digits=9, decimal_places=2)
    measured_on = forms.DateField(label="Measured on", required=False, widget=DateInput)
    sufficient = forms.ChoiceField(label="Is the progress sufficient to achieve the goal by the end of the IEP "
                                         "period?", required=False, widget=forms.RadioSelect,
                                   choices=ProgressReport.Sufficient.choices)
    sufficiency_reason = forms.CharField(label="Why", required=False, max_length=2000,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label="Next steps (optional)", required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, report: ProgressReport, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = f"r{report.pk}"
        self.auto_id = f"id_{prefix}_%s"
        for number, benchmark in enumerate(report.benchmarks):
            self.fields[f"benchmark_{number}"] = forms.ChoiceField(
                label=f"Benchmark {number + 1}: {benchmark['text']}", required=False, choices=BENCHMARK_CHOICES,
                initial=benchmark.get("status", ""))
        self.benchmark_count = len(report.benchmarks)

    def service_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in ("narrative", "measured_value", "measured_on", "sufficient",
                                                        "sufficiency_reason", "next_steps")}
        data["benchmarks"] = [self.cleaned_data[f"benchmark_{n}"] for n in range(self.benchmark_count)]
        return data


def report_initial(report: ProgressReport) -> dict:
    initial = {"revision": report.revision, "narrative": report.narrative, "measured_value": report.measured_value,
               "measured_on": report.measured_on, "sufficient": report.sufficient,
               "sufficiency_reason": report.sufficiency_reason, "next_steps": report.next_steps}
    initial.update({f"benchmark_{n}": b.get("status", "") for n, b in enumerate(report.benchmarks)})
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Why is the finalised report corrected?", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SentForm(forms.Form):
    sent_on = forms.DateField(label="Date sent", widget=DateInput)
    method = forms.ChoiceField(label="How it was sent", choices=ProgressDocument.Method.choices)
    email_to = forms.ModelChoiceField(
        queryset=None, required=False, label="Email it now to (with the PDF attached)",
        empty_label="No, it was sent another way (record only)",
        help_text="Parents and guardians with an email address on file. Emailing records it as sent today by email.")
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)

    def __init__(self, *args, guardians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_to"].queryset = guardians if guardians is not None else Guardian.objects.none()
        self.fields["email_to"].label_from_instance = lambda g: f"{g.name} ({g.get_relationship_display()}), {g.email}"
        if guardians is None or not guardians.exists():
            del self.fields["email_to"]

    def clean(self):
        data = super().clean()
        if data.get("email_to") and data.get("method") != ProgressDocument.Method.EMAIL:
            self.add_error("method", "Choose Email to email the report to a parent or guardian.")
        return data


class GoalPlanForm(forms.Form):
    responsible = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                                 label="Responsible staff (Team members)")
    target_value = forms.DecimalField(label="Numeric target (optional)", required=False, max_digits=9,
                                      decimal_places=2)
    unit = forms.CharField(label="Unit", required=False, max_length=40, help_text="e.g. words per minute")

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(team_memberships__student=student).order_by(
            "last_name", "first_name")
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.username


class ScheduleForm(forms.Form):
    mode = forms.ChoiceField(label="Schedule of progress reporting", widget=forms.RadioSelect,
                             choices=[("report_cards", "With report cards (the school's marking periods)"),
                                      ("custom", "Custom report dates")])
    dates = forms.CharField(label="Custom report dates", required=False, max_length=200,
                            help_text="YYYY-MM-DD, separated by commas; only for custom dates.")

    def clean(self):
        data = super().clean()
        raw = data.get("dates") or ""
        data["date_list"] = [d.strip() for d in raw.split(",") if d.strip()]
        return data
