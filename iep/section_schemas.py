"""What each section of the IEP holds: kind → a Django Form with its fields, choices and maximum lengths.

The spec is ../shared/spec/iep-form.md. Every free-text field is plain text with line breaks and a documented
maximum length (`max_length` below; SHORT, MEDIUM or LONG). A form takes `iep=` so rules that depend on the
IEP (age strand, period dates, existing goals) are checked; `to_content()` gives the JSON stored in
`Section.content`. The same forms validate browser posts and API bodies (a dict with lists for the
multi-valued fields).
"""

import secrets
from datetime import date

from django import forms

from students.disabilities import DEVELOPMENTAL_DELAY_MAX_AGE, Disability

from .models import Section

SHORT = 200      # names, titles, short answers
MEDIUM = 1000    # a sentence or a short paragraph
LONG = 4000      # narrative texts (present levels, concerns)
MAX_BENCHMARKS = 12
MAX_SERVICE_LINES = 40

YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def text(label: str, max_length: int = LONG, **kwargs) -> forms.CharField:
    rows = 2 if max_length <= MEDIUM else 5
    widget = forms.TextInput if max_length <= SHORT else forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, max_length=max_length, required=kwargs.pop("required", False),
                           widget=widget, help_text=kwargs.pop("help_text", f"Up to {max_length:,} characters."),
                           **kwargs)


def choice(label: str, choices, required: bool = False, **kwargs) -> forms.ChoiceField:
    choices = list(choices)
    if choices and choices[0][0] != "":
        choices = [("", "—"), *choices]
    return forms.ChoiceField(label=label, choices=choices, required=required, **kwargs)


def multi(label: str, choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=list(choices), required=False,
                                     widget=forms.CheckboxSelectMultiple, **kwargs)


def day(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=kwargs.pop("required", False),
                           widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class LinesField(forms.Field):
    """An ordered list of short texts: a list in JSON, one per line in a textarea."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *, item_max_length: int = MEDIUM, max_items: int = MAX_BENCHMARKS, **kwargs):
        self.item_max_length, self.max_items = item_max_length, max_items
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"One per line; up to {max_items} lines of {item_max_length:,} characters.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise forms.ValidationError("Give a list of texts.")
        return [item.strip() for item in value if item.strip()]

    def validate(self, value):
        super().validate(value)
        if len(value) > self.max_items:
            raise forms.ValidationError(f"At most {self.max_items} entries.")
        for number, item in enumerate(value, start=1):
            if len(item) > self.item_max_length:
                raise forms.ValidationError(f"Entry {number} is longer than {self.item_max_length:,} characters.")


class SectionForm(forms.Form):
    """Base of the per-kind forms."""

    def __init__(self, *args, iep=None, **kwargs):
        self.iep = iep
        super().__init__(*args, **kwargs)

    def to_content(self) -> dict:
        content = {}
        for name, value in self.cleaned_data.items():
            content[name] = value.isoformat() if isinstance(value, date) else value
        return content

    @property
    def student_age(self) -> int | None:
        return self.iep.student_age if self.iep is not None else None

    def require(self, *names: str, when: str):
        for name in names:
            if not self.cleaned_data.get(name):
                self.add_error(name, f"Required when {when}.")


class ConcernsForm(SectionForm):
    student_concerns = text("What concern(s) does the student want this IEP to address?")
    parent_concerns = text("What concern(s) does the parent or guardian want this IEP to address?")


class VisionForm(SectionForm):
    learn_this_year = text("This year, I want to learn:", MEDIUM)
    by_finish = text("By the time I finish elementary or middle school, I want to:", MEDIUM)
    postsecondary_education = text("Postsecondary goal: education or training", MEDIUM,
                                   help_text="Required from age 14. Up to 1,000 characters.")
    postsecondary_employment = text("Postsecondary goal: employment", MEDIUM,
                                    help_text="Required from age 14. Up to 1,000 characters.")
    postsecondary_independent_living = text("Postsecondary goal: independent living", MEDIUM,
                                            help_text="Required from age 14. Up to 1,000 characters.")
    high_school_want = text("In high school, I want to:", MEDIUM)
    team_this_year = text("Additional Team vision ideas: this year", MEDIUM)
    team_five_years = text("Additional Team vision ideas: in five years", MEDIUM)

    def clean(self):
        if self.iep is not None and self.iep.age_strand == "14-22":
            self.require("postsecondary_education", "postsecondary_employment", "postsecondary_independent_living",
                         when="the student is 14 or older")
        return self.cleaned_data


class ProfileForm(SectionForm):
    disabilities = multi("Disabilities (all that apply)", Disability.choices)
    primary_disability = choice("Primary disability", Disability.choices)
    secondary_disability = choice("Secondary disability", Disability.choices)
    english_learner = choice("English learner", YES_NO)
    el_program = text("English learner program", SHORT)
    esl_services = text("ESL services", MEDIUM)
    el_progress = text("Progress toward English proficiency", MEDIUM)
    el_language_needs = text("Language needs", MEDIUM)
    assistive_technology = choice("Assistive technology needed", YES_NO)
    at_sections = text("Sections of this IEP that address assistive technology", SHORT)

    def clean(self):
        data = self.cleaned_data
        chosen = set(data.get("disabilities") or [])
        primary, secondary = data.get("primary_disability"), data.get("secondary_disability")
        if chosen and not primary:
            self.add_error("primary_disability", "Mark the primary disability.")
        if primary and primary not in chosen:
            self.add_error("primary_disability", "The primary disability must be one of the disabilities checked.")
        if secondary and secondary not in chosen:
            self.add_error("secondary_disability", "The secondary disability must be one of the disabilities checked.")
        if secondary and secondary == primary:
            self.add_error("secondary_disability", "The secondary disability must differ from the primary one.")
        age = self.student_age
        if Disability.DEVELOPMENTAL_DELAY in chosen and age is not None and age > DEVELOPMENTAL_DELAY_MAX_AGE:
            self.add_error("disabilities", "Developmental Delay applies only to ages 3 through 9 (603 CMR 28.02(7)).")
        if data.get("english_learner") == "yes":
            self.require("el_program", when="the student is an English learner")
        if data.get("assistive_technology") == "yes":
            self.require("at_sections", when="assistive technology is needed")
        return data


SUBJECTS = [("ela", "English language arts"), ("history", "History and social sciences"),
            ("math", "Mathematics"), ("science", "Science, technology and engineering"), ("other", "Other")]


class PresentLevelsForm(SectionForm):
    current_performance = text("Current performance")
    strengths = text("Strengths, interest areas and preferences")
    impact = text("Impact of the disability on involvement and progress in the general curriculum "
                  "(or appropriate preschool activities)")


class AcademicsForm(SectionForm):
    subjects = multi("Subjects affected", SUBJECTS)
    subjects_other = text("Other subject affected", SHORT)
    current_performance = PresentLevelsForm.base_fields["current_performance"]
    strengths = PresentLevelsForm.base_fields["strengths"]
    impact = PresentLevelsForm.base_fields["impact"]

    def clean(self):
        if "other" in (self.cleaned_data.get("subjects") or []):
            self.require("subjects_other", when="“Other” is checked")
        return self.cleaned_data


BULLYING_REASONS = [("social_skills", "The disability affects social skills"),
                    ("vulnerable", "The student is vulnerable to bullying, harassment or teasing"),
                    ("autism", "The student has autism")]


class BehaviorForm(PresentLevelsForm):
    pbis_needed = choice("Positive behavioral interventions and supports needed", YES_NO)
    bullying_reasons = multi("The bullying block applies because", BULLYING_REASONS)
    bullying_skills = text("Skills and proficiencies needed to avoid and respond to bullying, harassment or teasing")
    bullying_addressed = text("How the IEP addresses those skills and proficiencies")

    def clean(self):
        reasons = list(self.cleaned_data.get("bullying_reasons") or [])
        autism = self.iep is not None and Disability.AUTISM in (self.iep.student.primary_disability,
                                                               self.iep.student.secondary_disability)
        if autism and "autism" not in reasons:
            self.add_error("bullying_reasons", "The student has autism: the bullying block is required.")
        if reasons or autism:
            self.require("bullying_skills", "bullying_addressed", when="the bullying block applies")
        return self.cleaned_data


class CommunicationForm(PresentLevelsForm):
    aac_needed = choice("Augmentative and alternative communication needed", YES_NO)


ADDITIONAL_AREAS = [("daily_living", "Activities of daily living"), ("health", "Health"), ("hearing", "Hearing"),
                    ("motor", "Motor"), ("sensory", "Sensory"), ("vision", "Vision")]


class AdditionalAreasForm(SectionForm):
    areas = multi("Areas addressed", ADDITIONAL_AREAS)

    def clean(self):
        for area in self.cleaned_data.get("areas") or []:
            self.require(f"{area}_current_performance", when="the area is checked")
        for area, label in ADDITIONAL_AREAS:
            if area not in (self.cleaned_data.get("areas") or []):
                for suffix in ("current_performance", "strengths", "impact"):
                    if self.cleaned_data.get(f"{area}_{suffix}"):
                        self.add_error("areas", f"Check “{label}” to keep its texts.")
                        break
        return self.cleaned_data


for _area, _label in ADDITIONAL_AREAS:
    for _suffix, _field in PresentLevelsForm.base_fields.items():
        AdditionalAreasForm.base_fields[f"{_area}_{_suffix}"] = text(f"{_label}: {_field.label.lower()}")

ACCOMMODATION_ROWS = [("classroom", "Classroom"), ("nonacademic", "Non-academic settings (lunch, recess)"),
                      ("extracurricular", "Extracurricular activities"),
                      ("community", "Community and workplace")]
ACCOMMODATION_COLUMNS = [("presentation", "Presentation of instruction"), ("response", "Response"),
                         ("timing", "Timing and scheduling"), ("setting", "Setting and environment")]
MODIFICATION_COLUMNS = [("content", "Content"), ("instruction", "Instruction"), ("output", "Student output")]


class AccommodationsForm(SectionForm):
    """Two grids of texts: accommodations (rows × 4 columns) and modifications (rows × 3 columns)."""


for _row, _row_label in ACCOMMODATION_ROWS:
    for _col, _col_label in ACCOMMODATION_COLUMNS:
        AccommodationsForm.base_fields[f"acc_{_row}_{_col}"] = text(
            f"Accommodations, {_row_label.lower()}: {_col_label.lower()}", MEDIUM)
for _row, _row_label in ACCOMMODATION_ROWS:
    for _col, _col_label in MODIFICATION_COLUMNS:
        AccommodationsForm.base_fields[f"mod_{_row}_{_col}"] = text(
            f"Modifications, {_row_label.lower()}: {_col_label.lower()}", MEDIUM)


class ParticipationForm(SectionForm):
    needs_met_in_general_education = choice(
        "Can the student's needs be met in general education, with or without supplementary aids and services?",
        YES_NO)
    nonparticipation_extent = text("Extent of nonparticipation in the general education setting")
    aids_considered = text("Supplementary aids and services considered before removal")

    def clean(self):
        if self.cleaned_data.get("needs_met_in_general_education") == "no":
            self.require("nonparticipation_extent", "aids_considered", when="the answer is no")
        return self.cleaned_data


class GoalForm(SectionForm):
    area = text("Goal area", SHORT, required=True)
    baseline = text("Baseline: what can the student currently do?")
    target = text("Annual goal (target)", required=True)
    criteria = text("Evaluation criteria", MEDIUM)
    method = text("Evaluation method", MEDIUM)
    schedule = text("Evaluation schedule", MEDIUM)
    responsible = text("Person(s) responsible", SHORT)
    benchmarks = LinesField(label="Short-term objectives or benchmarks")


class ProgressReportingForm(SectionForm):
    schedule = text("Schedule of progress reporting", MEDIUM, required=True,
                    help_text="At least as often as report cards (603 CMR 28.07(3)). Up to 1,000 characters.")


GRID_GROUPS = [("A", "A. Consultation (indirect services to school personnel and parents)"),
               ("B", "B. Special education and related services in the general education classroom"),
               ("C", "C. Special education and related services in other settings")]


class ServiceLineForm(SectionForm):
    """One line of the service delivery grid. `goals` are ids of goal sections of this IEP."""

    group = choice("Grid group", GRID_GROUPS, required=True)
    goals = forms.TypedMultipleChoiceField(label="Goals served", coerce=int, choices=[], required=True,
                                           widget=forms.CheckboxSelectMultiple)
    service_type = text("Type of service", SHORT, required=True)
    provided_by = text("Provided by (job title)", SHORT, required=True)
    location = text("Location", SHORT)
    frequency = forms.IntegerField(label="Frequency (sessions per cycle)", min_value=1, max_value=50)
    minutes = forms.IntegerField(label="Duration (minutes per session)", min_value=1, max_value=600)
    start_date = day("Start date", required=True)
    end_date = day("End date", required=True)

    def __init__(self, *args, goals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if goals is None and self.iep is not None:
            goals = list(self.iep.sections.goals().order_by("position").values_list("pk", "position"))
        self.fields["goals"].choices = [(pk, f"Goal {number}") for pk, number in goals or []]

    def clean(self):
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "The end date cannot be before the start date.")
        if self.iep is not None:
            period = f"{self.iep.start_date:%m/%d/%Y}–{self.iep.end_date:%m/%d/%Y}"
            for name in ("start_date", "end_date"):
                value = data.get(name)
                if value and not self.iep.start_date <= value <= self.iep.end_date:
                    self.add_error(name, f"Must be inside the IEP period ({period}).")
        return data


class ServiceGridForm(SectionForm):
    """The grid is one editable unit: its lines are a list in the content, each validated by ServiceLineForm."""

    lines = forms.JSONField(required=False)

    def clean_lines(self):
        lines = self.cleaned_data.get("lines") or []
        if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
            raise forms.ValidationError("Give a list of service lines.")
        if len(lines) > MAX_SERVICE_LINES:
            raise forms.ValidationError(f"At most {MAX_SERVICE_LINES} service lines.")
        goals = list(self.iep.sections.goals().values_list("pk", "position")) if self.iep is not None else None
        cleaned, errors = [], []
        for number, line in enumerate(lines, start=1):
            form = ServiceLineForm(line, iep=self.iep, goals=goals)
            if goals is None:  # no IEP to check goals against: keep the ids as given
                form.fields["goals"].choices = [(g, g) for g in line.get("goals") or []]
            if form.is_valid():
                cleaned.append({"id": str(line.get("id") or secrets.token_hex(4))[:16], **form.to_content()})
            else:
                for field, messages in form.errors.items():
                    label = form.fields[field].label if field in form.fields else "Line"
                    errors.append(f"Line {number}, {label}: {' '.join(messages)}")
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class TransportationForm(SectionForm):
    mode = choice("Transportation", [("regular", "Same as students without disabilities"),
                                     ("related_service", "Transportation as a related service")])
    vehicle = choice("Vehicle", [("regular_with_supports", "Regular transportation vehicle with supports"),
                                 ("special", "Special transportation vehicle")])
    details = text("Transportation details", MEDIUM)

    def clean(self):
        if self.cleaned_data.get("mode") == "related_service":
            self.require("vehicle", when="transportation is a related service")
        return self.cleaned_data


ASSESSMENT_AREAS = [("ela", "English language arts"), ("history", "History and social sciences"),
                    ("math", "Mathematics"), ("science", "Science and technology/engineering"),
                    ("reading", "Reading"), ("listening", "Listening"), ("speaking", "Speaking"),
                    ("writing", "Writing")]
ASSESSMENT_MODES = [("routine", "(1) Routinely"), ("accommodations", "(2) With accommodations"),
                    ("alternate", "(3) Alternate assessment")]


class AssessmentsForm(SectionForm):
    def clean(self):
        for area, _label in ASSESSMENT_AREAS:
            mode = self.cleaned_data.get(f"{area}_mode")
            if mode == "accommodations":
                self.require(f"{area}_accommodations", when="assessed with accommodations")
            elif mode == "alternate":
                self.require(f"{area}_alternate_why", f"{area}_alternate_how", when="an alternate assessment is chosen")
        return self.cleaned_data


for _area, _label in ASSESSMENT_AREAS:
    AssessmentsForm.base_fields[f"{_area}_mode"] = choice(f"{_label}: how assessed", ASSESSMENT_MODES)
    AssessmentsForm.base_fields[f"{_area}_accommodations"] = text(f"{_label}: accommodations", MEDIUM)
    AssessmentsForm.base_fields[f"{_area}_alternate_why"] = text(
        f"{_label}: why the standard assessment is not appropriate", MEDIUM)
    AssessmentsForm.base_fields[f"{_area}_alternate_how"] = text(f"{_label}: how the student will be assessed",
                                                                 MEDIUM)


class ScheduleESYForm(SectionForm):
    modified_schedule = choice("Different length of school day or year needed", YES_NO)
    modified_schedule_how = text("How and why", MEDIUM)
    esy = choice("Extended school year services needed", YES_NO)
    esy_services = forms.MultipleChoiceField(label="Extended school year services (from the grid)", choices=[],
                                             required=False, widget=forms.CheckboxSelectMultiple)
    esy_dates = text("Extended school year dates", SHORT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types: list[str] = []
        if self.iep is not None:
            grid = self.iep.sections.filter(kind=Section.Kind.SERVICE_GRID).first()
            for line in (grid.content.get("lines", []) if grid else []):
                if line.get("service_type") and line["service_type"] not in types:
                    types.append(line["service_type"])
        else:
            types = list((self.data or {}).get("esy_services") or []) if hasattr(self.data, "get") else []
        self.fields["esy_services"].choices = [(t, t) for t in types]

    def clean(self):
        if self.cleaned_data.get("modified_schedule") == "yes":
            self.require("modified_schedule_how", when="a different length of day or year is needed")
        if self.cleaned_data.get("esy") == "yes":
            self.require("esy_services", "esy_dates", when="extended school year services are needed")
        return self.cleaned_data


class TransitionForm(SectionForm):
    graduation_date = day("Anticipated graduation date")
    postsecondary_vision = text("Postsecondary vision (from the Vision section)")
    skills_needing_goals = text("Disability-related skills that need goals or services")
    course_of_study = text("Course of study")
    transition_services = text("Transition services and who provides them")
    community_connections = text("Community and interagency connections (agency, support, school liaison)")
    ch688_discussed = choice("Chapter 688 eligibility discussed", YES_NO)
    ch688_referral = choice("Chapter 688 referral submitted", [("yes", "Yes"), ("no", "No"),
                                                              ("not_applicable", "Not applicable")])
    ch688_agency = text("Chapter 688 agency", SHORT)
    majority_informed_date = day("Date the student and parent were told of the rights that transfer at 18")
    majority_decision = choice("Decision-making arrangement from age 18",
                               [("own_behalf", "Student acts on own behalf"),
                                ("guardian", "Court-appointed guardian"),
                                ("shared", "Shared decision-making"),
                                ("delegate", "Delegate decision-making")])

    def clean(self):
        if self.cleaned_data.get("ch688_referral") == "yes":
            self.require("ch688_agency", when="a Chapter 688 referral was submitted")
        age = self.student_age
        if self.cleaned_data.get("majority_decision") and age is not None and age < 18:
            self.add_error("majority_decision", "Recorded only once the student is 18.")
        return self.cleaned_data


class AdditionalInfoForm(SectionForm):
    text = text("Additional information")


RESPONSES = [("accept", "Accept the IEP as developed"), ("reject_portions", "Reject the following portions"),
             ("reject", "Reject the IEP as developed")]
PLACEMENT_RESPONSES = [("consent", "Consent to the placement"), ("refuse", "Refuse the placement"),
                       ("meeting", "Request a meeting")]


class ResponseForm(SectionForm):
    district_rep_name = text("School assurance: district representative name", SHORT)
    district_rep_role = text("District representative role", SHORT)
    assurance_date = day("School assurance date")
    response = choice("Parent's (or adult student's) response", RESPONSES, required=True)
    rejected_portions = LinesField(label="Rejected portions (sections or goals)", item_max_length=SHORT,
                                   max_items=40)
    meeting_requested = choice("Meeting requested on the rejected portions", YES_NO)
    parent_comments = text("Parent comments")
    response_date = day("Response date", required=True)
    placement_response = choice("Parent's placement response", PLACEMENT_RESPONSES)
    placement_response_date = day("Placement response date")

    def clean(self):
        data = self.cleaned_data
        if data.get("response") == "reject_portions":
            self.require("rejected_portions", when="portions are rejected")
        if data.get("placement_response"):
            self.require("placement_response_date", when="a placement response is recorded")
        if data.get("response_date") and data["response_date"] > date.today():
            self.add_error("response_date", "The response date cannot be in the future.")
        return data


SCHOOL_AGE_PLACEMENTS = [("full_inclusion", "Full inclusion"), ("partial_inclusion", "Partial inclusion"),
                         ("substantially_separate", "Substantially separate classroom"),
                         ("separate_day_public", "Separate day school (public)"),
                         ("separate_day_private", "Separate day school (private)"),
                         ("residential", "Residential school"), ("other", "Other")]
DERIVED_PLACEMENTS = ("full_inclusion", "partial_inclusion", "substantially_separate")
EARLY_PLACEMENTS = [("ec_inclusive", "Inclusive early-childhood program"),
                    ("ec_separate_class", "Substantially separate class"), ("ec_separate_day", "Separate day school"),
                    ("ec_residential", "Residential"), ("ec_home", "Home"),
                    ("ec_provider_location", "Service provider location")]


class PlacementForm(SectionForm):
    category = choice("Placement", SCHOOL_AGE_PLACEMENTS + EARLY_PLACEMENTS,
                      help_text="Ages 6-21: left empty, the placement derived from the grid applies.")
    override_reason = text("Reason for choosing a placement other than the one derived from the grid", MEDIUM)
    other_description = text("Other placement: describe", SHORT)
    ec_hours_per_week = forms.DecimalField(label="Inclusive early-childhood program: hours per week",
                                           required=False, min_value=0, max_value=60, decimal_places=1)
    ec_inclusive_share = choice("Inclusive share of the program", [("80_plus", "80% or more"),
                                                                   ("40_79", "40-79%"), ("0_39", "0-39%")])

    def to_content(self) -> dict:
        content = super().to_content()
        if content.get("ec_hours_per_week") is not None:
            content["ec_hours_per_week"] = float(content["ec_hours_per_week"])
        return content

    def clean(self):
        data, age = self.cleaned_data, self.student_age
        category = data.get("category") or ""
        if age is not None and category:
            early = category.startswith("ec_")
            if early and age > 5:
                self.add_error("category", "Early-childhood placements apply to ages 3-5.")
            if not early and age <= 5:
                self.add_error("category", "Choose an early-childhood placement for ages 3-5.")
        if category == "ec_inclusive":
            self.require("ec_hours_per_week", "ec_inclusive_share", when="the program is inclusive")
        if category == "other":
            self.require("other_description", when="the placement is “Other”")
        if self.iep is not None and category in DERIVED_PLACEMENTS:
            from .selectors import service_grid_summary

            derived = service_grid_summary(self.iep).derived_placement
            if derived and derived != category:
                self.require("override_reason", when="the placement differs from the one derived from the grid")
        return data


SCHEMAS: dict[str, type[SectionForm]] = {
    Section.Kind.CONCERNS: ConcernsForm,
    Section.Kind.VISION: VisionForm,
    Section.Kind.PROFILE: ProfileForm,
    Section.Kind.AP_ACADEMICS: AcademicsForm,
    Section.Kind.AP_BEHAVIOR: BehaviorForm,
    Section.Kind.AP_COMMUNICATION: CommunicationForm,
    Section.Kind.AP_ADDITIONAL: AdditionalAreasForm,
    Section.Kind.ACCOMMODATIONS: AccommodationsForm,
    Section.Kind.PARTICIPATION: ParticipationForm,
    Section.Kind.GOAL: GoalForm,
    Section.Kind.PROGRESS_REPORTING: ProgressReportingForm,
    Section.Kind.SERVICE_GRID: ServiceGridForm,
    Section.Kind.TRANSPORTATION: TransportationForm,
    Section.Kind.ASSESSMENTS: AssessmentsForm,
    Section.Kind.SCHEDULE_ESY: ScheduleESYForm,
    Section.Kind.TRANSITION: TransitionForm,
    Section.Kind.ADDITIONAL_INFO: AdditionalInfoForm,
    Section.Kind.RESPONSE: ResponseForm,
    Section.Kind.PLACEMENT: PlacementForm,
}
assert set(SCHEMAS) == set(Section.Kind), "every kind needs a schema"


def form_for(kind: str, data=None, *, iep=None, initial=None) -> SectionForm:
    return SCHEMAS[kind](data, iep=iep, initial=initial)


def display_value(field: forms.Field, value) -> str:
    """A stored value as a reader sees it: choice labels, dates as written, lists one per line."""
    if value in (None, "", [], {}):
        return ""
    labels = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # service lines
            return f"{len(value)} service line{'s' if len(value) != 1 else ''}"
        return "\n".join(str(labels.get(item, item)) for item in value)
    if isinstance(field, forms.DateField):
        try:
            return date.fromisoformat(value).strftime("%m/%d/%Y")
        except (TypeError, ValueError):
            return str(value)
    return str(labels.get(value, value))


def content_rows(kind: str, content: dict) -> list[tuple[str, str, str]]:
    """(field name, label, shown value) of the non-empty fields of a section's content, in form order."""
    rows = []
    for name, field in SCHEMAS[kind].base_fields.items():
        shown = display_value(field, (content or {}).get(name))
        if shown:
            rows.append((name, str(field.label), shown))
    return rows


def content_diff(kind: str, old: dict, new: dict) -> list[tuple[str, str, str]]:
    """(label, old shown, new shown) for every field that differs between two contents."""
    changes = []
    for name, field in SCHEMAS[kind].base_fields.items():
        before, after = (old or {}).get(name), (new or {}).get(name)
        if before != after and not (before in (None, "", []) and after in (None, "", [])):
            if isinstance(field, forms.JSONField):  # service lines: name each line that changed
                changes.extend(_lines_diff(before or [], after or []))
            else:
                changes.append((str(field.label), display_value(field, before), display_value(field, after)))
    return changes


def line_summary(line: dict) -> str:
    return (f"{line.get('group')}: {line.get('service_type')} by {line.get('provided_by')}, "
            f"{line.get('frequency')} × {line.get('minutes')} min, {line.get('start_date')} to {line.get('end_date')}")


def _lines_diff(old: list[dict], new: list[dict]) -> list[tuple[str, str, str]]:
    before = {line.get("id"): line for line in old}
    after = {line.get("id"): line for line in new}
    changes = []
    for number, line in enumerate(new, start=1):
        previous = before.get(line.get("id"))
        if previous != line:
            changes.append((f"Service line {number}", line_summary(previous) if previous else "",
                            line_summary(line)))
    for line in old:
        if line.get("id") not in after:
            changes.append(("Service line removed", line_summary(line), ""))
    if not changes and [line.get("id") for line in old] != [line.get("id") for line in new]:
        changes.append(("Service lines", "previous order", "reordered"))
    return changes
