from django import forms

from .disabilities import Disability, Grade
from .models import School


class StudentFilterForm(forms.Form):
    SHOW_SPECIAL_EDUCATION, SHOW_EVERYONE = "sped", "all"
    show = forms.ChoiceField(label="Show", required=False, choices=[
        (SHOW_SPECIAL_EDUCATION, "Students with a special-education record (referred, evaluated or with an IEP)"),
        (SHOW_EVERYONE, "Everyone enrolled")])
    q = forms.CharField(label="Search by name or SASID", required=False, max_length=100)
    school = forms.ModelChoiceField(label="School", queryset=School.objects.none(), required=False,
                                    empty_label="All schools")
    grade = forms.ChoiceField(label="Grade", choices=[("", "All grades"), *Grade.choices], required=False)
    disability = forms.ChoiceField(label="Disability", choices=[("", "All disabilities"), *Disability.choices],
                                   required=False)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.fields["school"].queryset = schools
        self.fields["show"].widget.attrs["class"] = "usa-select"
