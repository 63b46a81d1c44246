"""The drill-down filter form (query parameters of the dashboard lists, the CSV export and the API)."""

from django import forms

from accounts.models import User

from . import dashboard_selectors as sel
from .forms import DateInput
from .models import DEADLINE_LABELS

SORT_CHOICES = [("due", "Due date"), ("student", "Student"), ("school", "School"), ("key", "Deadline")]
DIRECTION_CHOICES = [("asc", "Ascending"), ("desc", "Descending")]


class DeadlineFilterForm(forms.Form):
    district = forms.TypedChoiceField(label="District", required=False, coerce=int, empty_value=None)
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    key = forms.ChoiceField(label="Deadline", required=False,
                            choices=[("", "Any deadline"), *sorted(DEADLINE_LABELS.items(), key=lambda kv: kv[1])])
    status = forms.ChoiceField(label="Status", required=False, choices=sel.STATUS_CHOICES)
    chair = forms.TypedChoiceField(label="Team chair", required=False, coerce=int, empty_value=None)
    due_from = forms.DateField(label="Due on or after", required=False, widget=DateInput())
    due_to = forms.DateField(label="Due on or before", required=False, widget=DateInput())
    scope = forms.ChoiceField(label="Students", required=False, choices=sel.SCOPES)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)
    dir = forms.ChoiceField(label="Order", required=False, choices=DIRECTION_CHOICES)

    def __init__(self, data=None, *, user: User, defaults: dict | None = None, **kwargs):
        merged = dict(defaults or {})
        if data is not None:
            merged.update({name: data[name] for name in self.base_fields if name in data})
        super().__init__(merged, **kwargs)
        self.fields["district"].choices = [("", "Any district"), *sel.filter_districts(user)]
        self.fields["school"].choices = [("", "Any school"), *((s.pk, s.name) for s in sel.filter_schools(user))]
        self.fields["chair"].choices = [("", "Any chair"), (0, "No chair assigned"), *(
            (u.pk, u.get_full_name() or u.username) for u in sel.filter_chairs(user))]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "usa-input" if name.startswith("due_") else "usa-select")

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_to"] < data["due_from"]:
            self.add_error("due_to", "The end of the range is before its start.")
        return data

    def filters(self) -> sel.DeadlineFilters:
        data = self.cleaned_data
        return sel.DeadlineFilters(district_id=data.get("district"), school_id=data.get("school"),
                                   key=data.get("key") or "",
                                   status=data.get("status") or "open", chair_id=data.get("chair"),
                                   due_from=data.get("due_from"), due_to=data.get("due_to"),
                                   scope=data.get("scope") or "")

    def sorting(self) -> tuple[str, bool]:
        return self.cleaned_data.get("sort") or "due", self.cleaned_data.get("dir") == "desc"
