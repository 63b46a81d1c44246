import json

from django import forms
from django.core.exceptions import ValidationError

from .models import RosterMapping, validate_role_map


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "usa-file-input", "accept": ".zip,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class RosterUploadForm(forms.Form):
    files = MultipleFileField(label="Roster files", help_text="A OneRoster zip, or the plain students.csv and/or "
                                                               "staff.csv (select both).")
    mapping = forms.ModelChoiceField(label="Mapping", queryset=RosterMapping.objects.none(), empty_label=None,
                                     help_text="Where the SASID comes from and how SIS roles become roles.")

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = RosterMapping.objects.filter(district=district)
        self.fields["mapping"].widget.attrs["class"] = "usa-select"


class RosterMappingForm(forms.ModelForm):
    role_map_text = forms.CharField(
        label="SIS role to role (JSON)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "usa-textarea"}),
        help_text='e.g. {"teacher": "general_educator", "counselor": "special_educator", "aide": "skip"}. '
                  "Roles: general_educator, special_educator, team_chair, building_admin, or skip. Never "
                  "district administrator.")

    class Meta:
        model = RosterMapping
        fields = ["name", "sasid_field"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["class"] = "usa-input"
        self.fields["sasid_field"].widget.attrs["class"] = "usa-select"
        if self.instance.pk and not self.is_bound:
            self.initial["role_map_text"] = json.dumps(self.instance.role_map, indent=1)

    def clean_role_map_text(self):
        text = self.cleaned_data["role_map_text"].strip() or "{}"
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError("This is not valid JSON.") from None
        validate_role_map(value)
        return value


class SuggestionConfirmForm(forms.Form):
    user = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
