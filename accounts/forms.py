from django import forms
from django.contrib.auth import password_validation

from students.models import District, School

from .models import Role, TeamMembership, User


class UserSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or username", required=False, max_length=100)


class UserCreateForm(forms.Form):
    district = forms.ModelChoiceField(label="District", queryset=District.objects.none())
    username = forms.CharField(label="Username", max_length=150)
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Email", required=False)
    job_title = forms.CharField(label="Job title", max_length=100, required=False,
                                help_text="As it appears in the service delivery grid.")
    password = forms.CharField(
        label="Initial password", max_length=128, required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not a common password. Give it to the person privately. Leave empty "
                  "when the district's sign-in service sets passwords: the account cannot sign in until one is set.")

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts if districts is not None else District.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("password"):
            candidate = User(username=data.get("username", ""), first_name=data.get("first_name", ""),
                             last_name=data.get("last_name", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class RoleAssignmentForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    school = forms.ModelChoiceField(label="School", queryset=School.objects.none(), required=False,
                                    empty_label="None (district administrator)",
                                    help_text="Every role but district administrator is held at one school.")

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()


# The Team page shows the next two forms together; each is built with its own prefix ("member", "chair") so the
# two staff selects get distinct ids (id_member-user, id_chair-user) and fields (member-user, chair-user).
class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label="Staff member", queryset=User.objects.none())
    team_role = forms.ChoiceField(label="Role on the Team", choices=TeamMembership.TeamRole.choices,
                                  initial=TeamMembership.TeamRole.MEMBER)
    responsibility = forms.CharField(label="Responsibility", max_length=100, required=False,
                                     help_text="What this person does for the student, e.g. reading goals.")

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff if staff is not None else User.objects.none()


class TeamChairForm(forms.Form):
    user = forms.ModelChoiceField(label="New Team chair", queryset=User.objects.none())

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff if staff is not None else User.objects.none()

class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app", min_length=6, max_length=6,
        widget=forms.TextInput(attrs={"class": "usa-input usa-input--small", "inputmode": "numeric",
                                      "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits shown in your authenticator app.")
        return code


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100,
                           help_text="What the token is for, e.g. the script or program that will use it.")
    days = forms.TypedChoiceField(label="Expires after", coerce=int, initial=90,
                                  choices=[(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")])
