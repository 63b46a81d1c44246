"""Forms of the meeting pages. They parse and label input; the rules live in meetings.services."""

from django import forms

from accounts.models import TeamMembership

from .exceptions import MeetingRefusal
from .models import ContactAttempt, EvaluationConsent, Invitation, Meeting

DATE = forms.DateInput(attrs={"type": "date", "class": "usa-input"})
TEXT = {"class": "usa-input"}
SELECT = {"class": "usa-select"}


def apply_refusal(form: forms.Form, refusal: MeetingRefusal) -> None:
    """Put a service refusal on the form: on its field when the form has it, else at the top."""
    for field, messages in refusal.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class MeetingForm(forms.Form):
    meeting_type = forms.ChoiceField(label="Type of meeting", choices=Meeting.Type.choices,
                                     widget=forms.Select(attrs=SELECT))
    iep = forms.ModelChoiceField(label="IEP", queryset=None, required=False, widget=forms.Select(attrs=SELECT),
                                 help_text="The IEP this meeting develops, reviews or amends (if there is one).")
    date = forms.DateField(widget=DATE)
    start_time = forms.TimeField(label="Starts at",
                                 widget=forms.TimeInput(attrs={"type": "time", "class": "usa-input"}))
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=15, max_value=480, initial=60,
                                          widget=forms.NumberInput(attrs=TEXT))
    location = forms.CharField(label="Place", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT),
                               help_text="Room and building, or address. A place or a video link is needed.")
    video_link = forms.URLField(label="Video link", max_length=500, required=False, widget=forms.URLInput(attrs=TEXT))
    purpose = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
                              help_text="Printed on the invitation. Up to 1,000 characters.")
    confirm_overlap = forms.BooleanField(label="Schedule it anyway, despite the overlap shown above", required=False)

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iep"].queryset = student.ieps.order_by("-start_date")
        self.fields["iep"].label_from_instance = lambda iep: f"{iep} ({iep.get_meeting_type_display()})"


class InvitationForm(forms.Form):
    prefix = "invitation"  # several forms share the meeting page: ids stay unique
    sent_on = forms.DateField(label="Date sent", widget=DATE)
    method = forms.ChoiceField(label="Sent by", choices=Invitation.Method.choices, widget=forms.Select(attrs=SELECT))


class ContactAttemptForm(forms.Form):
    prefix = "contact"  # several forms share the meeting page: ids stay unique
    guardian = forms.ModelChoiceField(label="Parent or guardian", queryset=None, required=False,
                                      widget=forms.Select(attrs=SELECT))
    attempted_on = forms.DateField(label="Date of the attempt", widget=DATE)
    method = forms.ChoiceField(choices=ContactAttempt.Method.choices, widget=forms.Select(attrs=SELECT))
    outcome = forms.ChoiceField(choices=ContactAttempt.Outcome.choices, widget=forms.Select(attrs=SELECT))
    note = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = student.guardians.all()


class ExcusalForm(forms.Form):
    prefix = "excusal"  # several forms share the meeting page: ids stay unique
    member = forms.ModelChoiceField(label="Team member excused", queryset=None, widget=forms.Select(attrs=SELECT))
    parent_agreed_on = forms.DateField(label="Date of the parent's written agreement", required=False, widget=DATE,
                                       help_text="Required: a member is excused only with the parent's written "
                                                 "agreement.")
    area_discussed = forms.BooleanField(label="The member's area is modified or discussed at the meeting",
                                        required=False)
    written_input_on = forms.DateField(label="Date the member's written input was given", required=False, widget=DATE,
                                       help_text="Required when the member's area is discussed.")
    agreement = forms.FileField(label="Parent's signed agreement (PDF, PNG or JPEG, at most 5 MB)", required=False,
                                widget=forms.ClearableFileInput(attrs={"class": "usa-file-input",
                                                                       "accept": ".pdf,.png,.jpg,.jpeg"}))

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["member"].queryset = User.objects.filter(team_memberships__student=student).order_by(
            "last_name", "first_name")


class HoldForm(forms.Form):
    """Record the meeting as held, with who attended (staff by role, parents, the student, interpreter, others)."""

    staff_present = forms.MultipleChoiceField(label="District staff present", required=False,
                                              widget=forms.CheckboxSelectMultiple)
    parents_present = forms.MultipleChoiceField(label="Parents or guardians present", required=False,
                                                widget=forms.CheckboxSelectMultiple)
    student_present = forms.BooleanField(label="The student attended", required=False)
    interpreter_name = forms.CharField(label="Interpreter's name", max_length=200, required=False,
                                       widget=forms.TextInput(attrs=TEXT))
    interpreter_language = forms.CharField(label="Language interpreted", max_length=60, required=False,
                                           widget=forms.TextInput(attrs=TEXT))
    others = forms.CharField(label="Others present", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
                             help_text="One person a line: name, then a comma and their role (e.g. "
                                       "\"Dana Reyes, Advocate\").")

    def __init__(self, *args, meeting: Meeting, team: list[TeamMembership], **kwargs):
        super().__init__(*args, **kwargs)
        excused = set(meeting.excusals.values_list("member_id", flat=True))
        self.members = {str(m.user_id): m.user for m in team if m.user_id not in excused}
        self.fields["staff_present"].choices = [
            (str(m.user_id), f"{m.user.get_full_name() or m.user.username}, {m.get_team_role_display()}"
                             + (f" ({m.user.job_title})" if m.user.job_title else ""))
            for m in team if m.user_id not in excused]
        self.guardians = {str(g.pk): g for g in meeting.student.guardians.all()}
        self.fields["parents_present"].choices = [(pk, f"{g.name} ({g.get_relationship_display()})")
                                                  for pk, g in self.guardians.items()]

    def clean_others(self):
        lines = [line.strip() for line in self.cleaned_data["others"].splitlines() if line.strip()]
        if len(lines) > 20:
            raise forms.ValidationError("At most 20 other people.")
        return lines

    def attendees(self) -> list[dict]:
        data = self.cleaned_data
        found = [{"kind": "staff", "attendee": self.members[pk]} for pk in data["staff_present"]]
        found += [{"kind": "parent", "guardian": self.guardians[pk]} for pk in data["parents_present"]]
        if data["student_present"]:
            found.append({"kind": "student"})
        if data["interpreter_name"] or data["interpreter_language"]:
            found.append({"kind": "interpreter", "name": data["interpreter_name"],
                          "language": data["interpreter_language"]})
        for line in data["others"]:
            name, _, role = line.partition(",")
            found.append({"kind": "other", "name": name.strip(), "role": role.strip()})
        return found


class AttendanceForm(forms.Form):
    """Add one attendee to a held meeting."""

    prefix = "attendance"  # several forms share the meeting page: ids stay unique
    kind = forms.ChoiceField(label="Who", choices=[("staff", "District staff"), ("parent", "Parent or guardian"),
                                                   ("student", "Student"), ("interpreter", "Interpreter"),
                                                   ("other", "Other participant")], widget=forms.Select(attrs=SELECT))
    attendee = forms.ModelChoiceField(label="Staff member", queryset=None, required=False,
                                      widget=forms.Select(attrs=SELECT))
    guardian = forms.ModelChoiceField(label="Parent or guardian", queryset=None, required=False,
                                      widget=forms.Select(attrs=SELECT))
    name = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs=TEXT),
                           help_text="For an interpreter or another participant.")
    role = forms.CharField(max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    language = forms.CharField(label="Language interpreted", max_length=60, required=False,
                               widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["attendee"].queryset = User.objects.filter(team_memberships__student=student).order_by(
            "last_name", "first_name")
        self.fields["guardian"].queryset = student.guardians.all()


class ConsentSendForm(forms.Form):
    kind = forms.ChoiceField(label="Evaluation", choices=EvaluationConsent.Kind.choices,
                             widget=forms.Select(attrs=SELECT))
    sent_on = forms.DateField(label="Consent form sent on", widget=DATE)
    note = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs=TEXT))


class ConsentRespondForm(forms.Form):
    response = forms.ChoiceField(label="Parent's answer", choices=[("consented", "Consent given (signed form)"),
                                                                   ("refused", "Consent refused")],
                                 widget=forms.Select(attrs=SELECT))
    responded_on = forms.DateField(label="Date the answer was received", widget=DATE)
    signed_form = forms.FileField(label="Signed form (PDF, PNG or JPEG, at most 5 MB)", required=False,
                                  widget=forms.ClearableFileInput(attrs={"class": "usa-file-input",
                                                                         "accept": ".pdf,.png,.jpg,.jpeg"}))
