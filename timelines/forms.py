import json
import re
from datetime import date, timedelta

from django import forms

from config.input_checks import json_problem, text_problem

from .models import EVENT_LABELS, FACT_FIELDS, EventKey, SchoolCalendar, StudentFacts, TimelineEvent

# Events that are scheduled ahead (a meeting, the start of an IEP) may lie in the future; the others record
# something that was received or decided, so they cannot.
SCHEDULABLE = {"team_meeting", "placement_meeting_scheduled", "iep_start"}
MAX_AHEAD = timedelta(days=366)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimelineEventForm(forms.ModelForm):
    class Meta:
        model = TimelineEvent
        fields = ["key", "date", "note"]
        widgets = {"date": DateInput(), "note": forms.TextInput()}
        labels = {"key": "Event", "note": "Note (optional)"}
        help_texts = {"date": "For a meeting or an IEP start, the scheduled date may be in the future."}

    def __init__(self, *args, student, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.student, self.today = student, today
        self.fields["key"].choices = [("", "Choose an event")] + [(k, EVENT_LABELS[k]) for k in EventKey.values]
        if self.instance.pk:  # a correction keeps its event key
            self.fields["key"].disabled = True
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "usa-select" if name == "key" else "usa-input")

    def clean(self):
        data = super().clean()
        key, day = data.get("key"), data.get("date")
        if key and day:
            if day < self.student.date_of_birth:
                self.add_error("date", "The date is before the student's date of birth.")
            elif key in SCHEDULABLE and day > self.today + MAX_AHEAD:
                self.add_error("date", "A scheduled date can be at most a year ahead.")
            elif key not in SCHEDULABLE and day > self.today:
                self.add_error("date", f"“{EVENT_LABELS[key]}” records something that has happened: "
                                       "the date cannot be in the future.")
        return data


class StudentFactsForm(forms.ModelForm):
    class Meta:
        model = StudentFacts
        fields = list(FACT_FIELDS)
        labels = {"eligibility": "Eligibility finding", "hearing_filed_by": "Hearing request filed by"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligibility"].choices = [("", "Not yet determined"), *StudentFacts.Eligibility.choices]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "usa-checkbox__input"
            else:
                field.widget.attrs["class"] = "usa-select"


_CLOSURE_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:to|–|-{1,2})\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)$")


def closures_to_text(closed: list[dict]) -> str:
    lines = []
    for entry in closed:
        span = entry["start"] if entry["start"] == entry["end"] else f"{entry['start']} to {entry['end']}"
        lines.append(f"{span} {entry.get('description', '')}".strip())
    return "\n".join(lines)


class SchoolCalendarForm(forms.ModelForm):
    closures = forms.CharField(
        label="Days without school", required=False, widget=forms.Textarea(attrs={"rows": 12}), max_length=20_000,
        help_text="One per line: a date, or a range “2025-12-24 to 2026-01-01”, optionally followed by a "
                  "description. Weekends need not be listed.")

    class Meta:
        model = SchoolCalendar
        fields = ["label", "first_day", "last_day"]
        widgets = {"first_day": DateInput(), "last_day": DateInput()}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        if self.instance.pk and not self.is_bound:
            self.fields["closures"].initial = closures_to_text(self.instance.closed)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "usa-textarea" if name == "closures" else "usa-input")

    def clean_closures(self):
        closed, errors = [], []
        for number, line in enumerate(self.cleaned_data["closures"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = _CLOSURE_LINE.match(line)
            try:
                if not match:
                    raise ValueError
                start = date.fromisoformat(match[1])
                end = date.fromisoformat(match[2]) if match[2] else start
            except ValueError:
                errors.append(f"Line {number} (“{line[:40]}”) does not start with a date written YYYY-MM-DD.")
                continue
            closed.append({"start": start.isoformat(), "end": end.isoformat(), "description": match[3].strip()})
        if errors:
            raise forms.ValidationError(errors)
        return closed

    def _post_clean(self):
        self.instance.closed = self.cleaned_data.get("closures", self.instance.closed)
        super()._post_clean()

    def clean_label(self):
        label = self.cleaned_data["label"].strip()
        taken = SchoolCalendar.objects.filter(district=self.instance.district, label=label).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"The district already has a school year labelled {label}.")
        return label

    def add_error(self, field, error):
        # The model reports closure problems on its `closed` field; show them on the text area.
        if field == "closed":
            field = "closures"
        elif isinstance(error, forms.ValidationError) and hasattr(error, "error_dict") and "closed" in error.error_dict:
            error.error_dict["closures"] = error.error_dict.pop("closed")
        super().add_error(field, error)


class CalendarImportForm(forms.Form):
    document = forms.FileField(label="CAL.json file", required=False,
                               help_text="The spec's calendar format: {\"school_years\": [...]}.")
    text = forms.CharField(label="Or paste the JSON", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           max_length=1_000_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.attrs["class"] = "usa-file-input"
        self.fields["text"].widget.attrs["class"] = "usa-textarea"

    def clean(self):
        data = super().clean()
        upload, text = data.get("document"), data.get("text")
        if upload:
            if upload.size > 1_000_000:
                raise forms.ValidationError("The file is larger than 1 MB.")
            raw = upload.read()
        elif text:
            raw = text.encode()
        else:
            raise forms.ValidationError("Choose a CAL.json file or paste its contents.")
        try:
            decoded = raw.decode("utf-8")
            if problem := json_problem(decoded):  # before parsing: Python's parser recurses (docs/resilience.md)
                raise forms.ValidationError(problem)
            data["parsed"] = json.loads(decoded)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(f"This is not valid JSON: {exc}.") from None
        if problem := text_problem(data["parsed"]):
            raise forms.ValidationError(problem)
        return data
