"""Reading OneRoster 1.1/1.2 CSV and the plain CSV into one checked shape (docs/roster-import.md).

Everything a row can be checked for on its own, or against the other files, is checked here: required columns,
required values, date formats, SASIDs, grades, statuses, duplicate ids, references to orgs, classes and users
that are not there. Each problem becomes {file, line, message}. Checks against the database (a SASID or username
held in another district) are done by the importer. Enrollments are streamed (`Roster.enrollments()`), the
largest file is never held in memory.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from students.disabilities import Grade

from .exceptions import RosterInputError
from .models import SKIP, RosterMapping
from .sources import RosterFile, RosterSource

ACTIVE, DELETED = "active", "tobedeleted"
BULK, DELTA = "bulk", "delta"
MAX_ERRORS_KEPT = 10_000

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
SASID_RE = re.compile(r"^[0-9]{10}$")
CODE_RE = re.compile(r"^[0-9]{8}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_IDS_RE = re.compile(r"\{([^:{}]+):([^{}]*)\}")

# OneRoster / CEDS grade codes -> the app's grades.
GRADES = {"PK": Grade.PK, "PR": Grade.PK, "IT": Grade.PK, "TK": Grade.K, "KG": Grade.K, "K": Grade.K,
          "13": Grade.POST12, "PS": Grade.POST12, "SP": Grade.POST12,
          **{f"{n:02d}": Grade(f"{n:02d}") for n in range(1, 13)}, **{str(n): Grade(f"{n:02d}") for n in range(1, 10)}}
GUARDIAN_ROLES = {"parent": "parent", "guardian": "guardian", "relative": "other"}
STAFF_ROLES = {"teacher", "aide", "administrator", "proctor", "counselor", "districtAdministrator", "principal",
               "siteAdministrator", "systemAdministrator"}
SESSION_TYPES = {"schoolYear", "semester", "term", "gradingPeriod"}


class SchoolRow(NamedTuple):
    sis_id: str
    code: str
    name: str
    status: str
    line: int


class StudentRow(NamedTuple):
    sis_id: str
    sasid: str
    first_name: str
    middle_name: str
    last_name: str
    birth_date: str | None      # None in a delta without demographics: keep the stored one
    grade: str
    school_sis_id: str
    language: str | None        # None: the files do not carry it, keep the stored one
    status: str
    file: str
    line: int


class GuardianRow(NamedTuple):
    student_sis_id: str
    name: str
    relationship: str
    email: str
    phone: str


class StaffRow(NamedTuple):
    sis_id: str
    username: str
    email: str
    first_name: str
    last_name: str
    status: str
    file: str
    line: int


class StaffRoleRow(NamedTuple):
    staff_sis_id: str
    role: str
    school_sis_id: str


class ClassRow(NamedTuple):
    sis_id: str
    title: str
    school_sis_id: str
    status: str


class EnrollmentRow(NamedTuple):
    sis_id: str
    class_sis_id: str
    user_sis_id: str
    role: str
    status: str


class SessionRow(NamedTuple):
    sis_id: str
    title: str
    session_type: str
    start_date: str
    end_date: str
    parent_sis_id: str
    school_year: str
    status: str


@dataclass
class Roster:
    """What the files say, checked. `modes` per kind: bulk (replace) or delta (changes only); absent: untouched."""

    format: str
    modes: dict[str, str] = field(default_factory=dict)
    district_codes: list[tuple[str, str, int]] = field(default_factory=list)  # (code, file, line)
    schools: list[SchoolRow] = field(default_factory=list)
    students: list[StudentRow] = field(default_factory=list)
    guardians: list[GuardianRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    staff_roles: list[StaffRoleRow] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    enrollment_file: RosterFile | None = None
    known_classes: set[str] = field(default_factory=set)
    known_users: set[str] = field(default_factory=set)
    enrollment_count: int = 0
    session_lines: dict[str, int] = field(default_factory=dict)  # academicSessions.csv line of each sourcedId

    def error(self, file: str, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"file": file, "line": line, "message": message})

    @property
    def mode(self) -> str:
        return self.modes.get("users") or self.modes.get("students") or self.modes.get("staff") or BULK

    def enrollments(self) -> Iterator[EnrollmentRow]:
        """Stream enrollments.csv: checked rows of students and teachers (other roles are skipped).

        The largest file (400,000 rows for a city), so the loop works on column positions, without the per-row
        helpers of Table; the checks are the same."""
        if self.enrollment_file is None:
            return
        name, error = self.enrollment_file.display, self.error
        rows = self.enrollment_file.rows()
        try:
            header_line, header = next(rows)
        except StopIteration:
            error(name, 1, "the file is empty (no header row)")
            return
        except Exception as exc:
            error(name, 1, f"cannot be read as CSV: {exc}")
            return
        lowered = {cell.strip().lower(): i for i, cell in enumerate(header)}
        required = ["sourcedId", "classSourcedId", "userSourcedId", "role"]
        missing = [c for c in required if c.lower() not in lowered]
        if missing:
            error(name, header_line, f"missing required column(s): {', '.join(missing)}")
            return
        i_id, i_class, i_user, i_role = (lowered[c.lower()] for c in required)
        i_status, i_modified = lowered.get("status"), lowered.get("datelastmodified")
        width, seen, classes, users = len(header), set(), self.known_classes, self.known_users
        try:
            for line, cells in rows:
                if len(cells) != width:
                    if any(cell.strip() for cell in cells):
                        error(name, line, f"has {len(cells)} values where the header has {width} columns")
                    continue
                sis_id, class_id = cells[i_id].strip(), cells[i_class].strip()
                user_id, role = cells[i_user].strip(), cells[i_role].strip()
                status = cells[i_status].strip() if i_status is not None else ""
                if status in ("", ACTIVE):
                    status = ACTIVE
                elif status != DELETED:
                    error(name, line, f"status {status!r} is not active or tobedeleted")
                if i_modified is not None and cells[i_modified] and not DATETIME_RE.match(cells[i_modified]):
                    error(name, line, f"dateLastModified {cells[i_modified]!r} is not an ISO 8601 date-time "
                                      "(2026-08-31T12:00:00Z)")
                if not (sis_id and class_id and user_id and role):
                    if any(cell.strip() for cell in cells):
                        empty = [c for c, v in zip(required, (sis_id, class_id, user_id, role), strict=True) if not v]
                        error(name, line, f"no value for {', '.join(empty)}")
                    continue
                if sis_id in seen:
                    error(name, line, f"sourcedId {sis_id!r} appears twice in enrollments.csv")
                    continue
                seen.add(sis_id)
                if role != "student" and role != "teacher":
                    continue
                if status == ACTIVE:
                    if class_id not in classes:
                        error(name, line, f"classSourcedId {class_id!r} is not a class of classes.csv or of the "
                                          "district")
                        continue
                    if user_id not in users:
                        error(name, line, f"userSourcedId {user_id!r} is not a user of users.csv or of the district")
                        continue
                self.enrollment_count += 1
                yield EnrollmentRow(sis_id, class_id, user_id, role, status)
        except Exception as exc:
            error(name, 0, f"cannot be read as CSV past this point: {exc}")


class Table:
    """One CSV file with its header checked: iterate for (line, getter) of each data row."""

    def __init__(self, roster: Roster, roster_file: RosterFile, *, required: list[str], optional: list[str] = ()):
        self.roster, self.file, self.name = roster, roster_file, roster_file.display
        self.required_columns, self.optional_columns = required, list(optional)
        self.index: dict[str, int] | None = None

    def fail(self, line: int, message: str) -> None:
        self.roster.error(self.name, line, message)

    def __iter__(self):
        rows = self.file.rows()
        try:
            header_line, header = next(rows)
        except StopIteration:
            self.fail(1, "the file is empty (no header row)")
            return
        except Exception as exc:   # a malformed CSV (e.g. an unclosed quote at the end) or undecodable text
            self.fail(1, f"cannot be read as CSV: {exc}")
            return
        lowered = {cell.strip().lower(): i for i, cell in enumerate(header)}
        missing = [c for c in self.required_columns if c.lower() not in lowered]
        if missing:
            self.fail(header_line, f"missing required column(s): {', '.join(missing)}")
            return
        self.index = {c: lowered[c.lower()] for c in [*self.required_columns, *self.optional_columns]
                      if c.lower() in lowered}
        width = len(header)
        try:
            for line, cells in rows:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != width:
                    self.fail(line, f"has {len(cells)} values where the header has {width} columns")
                    continue

                def get(column, cells=cells):
                    i = self.index.get(column)
                    return cells[i].strip() if i is not None else ""
                yield line, get
        except Exception as exc:
            self.fail(0, f"cannot be read as CSV past this point: {exc}")

    def has(self, column: str) -> bool:
        return self.index is not None and column in self.index

    def required(self, line: int, **values: str) -> bool:
        empty = [name for name, value in values.items() if not value]
        if empty:
            self.fail(line, f"no value for {', '.join(empty)}")
        return not empty

    def status(self, line: int, row) -> str:
        status = row("status") or ACTIVE
        if status not in (ACTIVE, DELETED):
            self.fail(line, f"status {status!r} is not active or tobedeleted")
        modified = row("dateLastModified")
        if modified and not DATETIME_RE.match(modified):
            self.fail(line, f"dateLastModified {modified!r} is not an ISO 8601 date-time (2026-08-31T12:00:00Z)")
        return status

    def date(self, line: int, column: str, value: str) -> str | None:
        if not DATE_RE.match(value):
            self.fail(line, f"{column} {value!r} is not a date in the form YYYY-MM-DD")
            return None
        try:
            date.fromisoformat(value)
        except ValueError:
            self.fail(line, f"{column} {value!r} is not a real date")
            return None
        return value


def grade_of(value: str) -> str | None:
    first = value.split(",")[0].strip().upper()
    grade = GRADES.get(first)
    return grade.value if grade else None


# ---------------------------------------------------------------- OneRoster

def _manifest(source: RosterSource, roster: Roster) -> tuple[str, dict[str, str]]:
    table = Table(roster, source.files["manifest.csv"], required=["propertyName", "value"])
    props = {row("propertyName"): row("value") for _line, row in table}
    version = props.get("oneroster.version", "")
    if version not in ("1.1", "1.2"):
        raise RosterInputError(f"manifest.csv: oneroster.version is {version!r}; OneRoster 1.1 and 1.2 are read.")
    modes = {}
    for kind in ("orgs", "users", "roles", "demographics", "classes", "enrollments", "academicSessions"):
        mode = props.get(f"file.{kind}", "absent").strip().lower()
        if mode not in ("bulk", "delta", "absent"):
            raise RosterInputError(f"manifest.csv: file.{kind} is {mode!r}, not bulk, delta or absent.")
        present = f"{kind.lower()}.csv" in source.files
        if mode != "absent" and not present:
            raise RosterInputError(f"manifest.csv lists {kind}.csv as {mode}, but the file is missing.")
        if mode != "absent":
            modes[kind] = mode
    if version == "1.2" and "users" in modes and "roles" not in modes:
        raise RosterInputError("OneRoster 1.2: users.csv needs roles.csv (list it in manifest.csv).")
    return version, modes


def _sasid(mapping: RosterMapping, row, sis_id: str) -> str:
    field_name = mapping.sasid_field
    if field_name == RosterMapping.SasidField.USER_IDS:
        ids = {kind.strip().upper(): value.strip() for kind, value in USER_IDS_RE.findall(row("userIds"))}
        return ids.get("SASID", "")
    if field_name == RosterMapping.SasidField.SOURCED_ID:
        return sis_id
    return row(field_name)


def read_oneroster(source: RosterSource, mapping: RosterMapping, existing: "Existing") -> Roster:
    roster = Roster(format="")
    version, modes = _manifest(source, roster)
    roster.format, roster.modes = f"oneroster-{version}", modes
    files = source.files

    # orgs: the district (its code must be the importer's) and schools (identifier = DESE school code)
    orgs: dict[str, str] = {}  # sis_id -> type
    if "orgs" in modes:
        table = Table(roster, files["orgs.csv"], required=["sourcedId", "name", "type"],
                      optional=["status", "dateLastModified", "identifier", "parentSourcedId"])
        for line, row in table:
            sis_id, name, kind, status = row("sourcedId"), row("name"), row("type"), table.status(line, row)
            if not table.required(line, sourcedId=sis_id, name=name, type=kind):
                continue
            if sis_id in orgs:
                table.fail(line, f"sourcedId {sis_id!r} appears twice in orgs.csv")
                continue
            orgs[sis_id] = kind
            if kind == "district":
                roster.district_codes.append((row("identifier"), table.name, line))
            elif kind == "school":
                code = row("identifier")
                if not CODE_RE.match(code):
                    table.fail(line, f"identifier {code!r} is not the school's 8-digit DESE code")
                    continue
                roster.schools.append(SchoolRow(sis_id, code, name[:200], status, line))
        if modes["orgs"] == BULK and not roster.district_codes and table.index is not None:
            table.fail(1, "orgs.csv has no row of type district")
    schools = {s.sis_id for s in roster.schools if s.status != DELETED} | existing.schools

    # 1.2: roles.csv gives each user's role(s) and org(s)
    roles: dict[str, list[tuple[str, str, bool]]] = {}
    if "roles" in modes:
        table = Table(roster, files["roles.csv"], required=["userSourcedId", "role", "orgSourcedId"],
                      optional=["sourcedId", "status", "dateLastModified", "roleType"])
        for line, row in table:
            user, role, org, status = row("userSourcedId"), row("role"), row("orgSourcedId"), table.status(line, row)
            if not table.required(line, userSourcedId=user, role=role, orgSourcedId=org) or status == DELETED:
                continue
            if org not in schools and org not in orgs and org not in existing.orgs:
                table.fail(line, f"orgSourcedId {org!r} is not an org of orgs.csv or of the district")
                continue
            roles.setdefault(user, []).append((role, org, row("roleType") == "primary"))

    birth_dates: dict[str, str] = {}
    if "demographics" in modes:
        table = Table(roster, files["demographics.csv"], required=["sourcedId", "birthDate"],
                      optional=["status", "dateLastModified"])
        for line, row in table:
            sis_id, born = row("sourcedId"), row("birthDate")
            table.status(line, row)
            if sis_id and born and (value := table.date(line, "birthDate", born)):
                birth_dates[sis_id] = value

    if "users" in modes:
        _read_users(roster, files["users.csv"], version, mapping, roles, birth_dates, schools, orgs, existing)

    if "classes" in modes:
        table = Table(roster, files["classes.csv"], required=["sourcedId", "title", "schoolSourcedId"],
                      optional=["status", "dateLastModified"])
        seen: set[str] = set()
        for line, row in table:
            sis_id, title, school, status = row("sourcedId"), row("title"), row("schoolSourcedId"), table.status(
                line, row)
            if not table.required(line, sourcedId=sis_id, title=title, schoolSourcedId=school):
                continue
            if sis_id in seen:
                table.fail(line, f"sourcedId {sis_id!r} appears twice in classes.csv")
                continue
            seen.add(sis_id)
            if status != DELETED and school not in schools:
                table.fail(line, f"schoolSourcedId {school!r} is not a school of orgs.csv or of the district")
                continue
            roster.classes.append(ClassRow(sis_id, title[:255], school, status))
        roster.known_classes = {c.sis_id for c in roster.classes if c.status != DELETED}
    if modes.get("classes") != BULK:
        roster.known_classes |= existing.classes

    if "enrollments" in modes:
        roster.enrollment_file = files["enrollments.csv"]
        roster.known_users = {s.sis_id for s in roster.students if s.status != DELETED} | {
            s.sis_id for s in roster.staff if s.status != DELETED}
        if modes.get("users") != BULK:
            roster.known_users |= existing.students | existing.staff

    if "academicsessions" in {k.lower() for k in modes}:
        _read_sessions(roster, files["academicsessions.csv"])
    return roster


def _read_users(roster, users_file, version, mapping, roles, birth_dates, schools, orgs, existing) -> None:
    required = ["sourcedId", "givenName", "familyName"] + (["role", "orgSourcedIds"] if version == "1.1" else [])
    optional = ["status", "dateLastModified", "username", "userIds", "middleName", "identifier", "email", "phone",
                "sms", "agentSourcedIds", "grades", "metadata.homeLanguage", "homeLanguage", "primaryOrgSourcedId"]
    table = Table(roster, users_file, required=required, optional=optional)
    delta = roster.modes["users"] == DELTA
    seen: set[str] = set()
    sasids: dict[str, int] = {}
    parents: dict[str, tuple[str, str, str, str]] = {}
    agents: list[tuple[str, list[str], int]] = []
    for line, row in table:
        sis_id, given, family, status = row("sourcedId"), row("givenName"), row("familyName"), table.status(line, row)
        if not table.required(line, sourcedId=sis_id):
            continue
        if sis_id in seen:
            table.fail(line, f"sourcedId {sis_id!r} appears twice in users.csv")
            continue
        seen.add(sis_id)
        if version == "1.1":
            user_roles = [(row("role"), org.strip(), True) for org in row("orgSourcedIds").split(",") if org.strip()]
            if not row("role"):
                table.fail(line, "no value for role")
                continue
        else:
            user_roles = roles.get(sis_id, [])
            if not user_roles and status != DELETED:
                table.fail(line, f"user {sis_id!r} has no role in roles.csv")
                continue
        kinds = {role for role, _org, _primary in user_roles}
        if status == DELETED and not kinds:  # 1.2: a deleted user may have no role left; known ids tell what it was
            if sis_id in existing.students:
                kinds = {"student"}
            elif sis_id in existing.staff:
                kinds = {"teacher"}
            else:
                continue
        if status != DELETED and not table.required(line, givenName=given, familyName=family):
            continue
        if version == "1.1" and status != DELETED:
            unknown = [org for _r, org, _p in user_roles if org not in schools and org not in orgs
                       and org not in existing.orgs]
            if unknown:
                table.fail(line, f"orgSourcedIds {', '.join(unknown)} not an org of orgs.csv or of the district")
                continue
        if "student" in kinds:
            school_ids = [org for role, org, primary in sorted(user_roles, key=lambda r: not r[2])
                          if role == "student" and org in schools]
            if status == DELETED:
                roster.students.append(StudentRow(sis_id, "", "", "", "", None, "", "", None, DELETED, table.name,
                                                  line))
                continue
            sasid = _sasid(mapping, row, sis_id)
            if not SASID_RE.match(sasid):
                table.fail(line, f"SASID {sasid!r} (from {mapping.sasid_field}) is not 10 digits")
                continue
            if sasid in sasids:
                table.fail(line, f"SASID {sasid} is also the SASID of the student on line {sasids[sasid]}")
                continue
            sasids[sasid] = line
            grade = grade_of(row("grades"))
            if grade is None:
                table.fail(line, f"grades {row('grades')!r} is not a grade (PK, KG, 01-12, 13)")
                continue
            if not school_ids:
                table.fail(line, "the student is not enrolled at any school of orgs.csv")
                continue
            born = birth_dates.get(sis_id)
            if born is None and not (delta and sis_id in existing.students):
                table.fail(line, f"no birthDate for student {sis_id!r} in demographics.csv")
                continue
            language_column = next((c for c in ("metadata.homeLanguage", "homeLanguage") if table.has(c)), None)
            language = (row(language_column) or None) if language_column else None
            roster.students.append(StudentRow(sis_id, sasid, given[:100], row("middleName")[:100], family[:100], born,
                                              grade, school_ids[0], language and language[:60], ACTIVE, table.name,
                                              line))
            agent_ids = [a.strip() for a in row("agentSourcedIds").split(",") if a.strip()]
            if agent_ids:
                agents.append((sis_id, agent_ids, line))
        elif kinds & set(GUARDIAN_ROLES):
            if status != DELETED:
                role = next(r for r in kinds if r in GUARDIAN_ROLES)
                parents[sis_id] = (f"{given} {family}"[:200], GUARDIAN_ROLES[role], row("email")[:254],
                                   (row("phone") or row("sms"))[:30])
        elif kinds & STAFF_ROLES:
            email = row("email")
            if status != DELETED and email and not EMAIL_RE.match(email):
                table.fail(line, f"email {email!r} is not an email address")
                continue
            username = (row("username") or email or sis_id)[:150]
            roster.staff.append(StaffRow(sis_id, username, email[:254], given[:150], family[:150], status, table.name,
                                         line))
            for role, org, _primary in user_roles:
                mapped = mapping.role_for(role)
                if mapped != SKIP and org in schools:
                    roster.staff_roles.append(StaffRoleRow(sis_id, mapped, org))
        else:
            table.fail(line, f"role {', '.join(sorted(kinds)) or '(none)'} is not a OneRoster role")
    for student_sis_id, agent_ids, line in agents:
        for agent in agent_ids:
            if agent in parents:
                roster.guardians.append(GuardianRow(student_sis_id, *parents[agent]))
            elif not delta:
                roster.error(table.name, line, f"agentSourcedIds: {agent!r} is not a parent or guardian of users.csv")


def _read_sessions(roster: Roster, sessions_file: RosterFile) -> None:
    table = Table(roster, sessions_file, required=["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
                  optional=["status", "dateLastModified", "parentSourcedId"])
    seen: set[str] = set()
    for line, row in table:
        sis_id, title, kind, status = row("sourcedId"), row("title"), row("type"), table.status(line, row)
        if not table.required(line, sourcedId=sis_id, title=title, type=kind):
            continue
        if sis_id in seen:
            table.fail(line, f"sourcedId {sis_id!r} appears twice in academicSessions.csv")
            continue
        seen.add(sis_id)
        roster.session_lines[sis_id] = line
        if kind not in SESSION_TYPES:
            table.fail(line, f"type {kind!r} is not schoolYear, semester, term or gradingPeriod")
            continue
        start, end = table.date(line, "startDate", row("startDate")), table.date(line, "endDate", row("endDate"))
        year = row("schoolYear")
        if not re.match(r"^\d{4}$", year):
            table.fail(line, f"schoolYear {year!r} is not a year (YYYY)")
            continue
        if start and end:
            if end < start:
                table.fail(line, "endDate is before startDate")
                continue
            roster.sessions.append(SessionRow(sis_id, title[:255], kind, start, end, row("parentSourcedId"), year,
                                              status))


# ---------------------------------------------------------------- plain CSV

STUDENT_COLUMNS = ["district_code", "school_code", "sis_id", "sasid", "first_name", "last_name", "birth_date", "grade"]
STUDENT_OPTIONAL = ["middle_name", "home_language", "status",
                    *[f"guardian{n}_{part}" for n in (1, 2) for part in ("name", "relationship", "email", "phone")]]
STAFF_COLUMNS = ["district_code", "school_codes", "sis_id", "first_name", "last_name", "email", "role"]
STAFF_OPTIONAL = ["username", "status"]
PLAIN_STATUS = {"": ACTIVE, "active": ACTIVE, "left": DELETED, "inactive": DELETED, "tobedeleted": DELETED}


def _plain_status(table: Table, line: int, value: str) -> str:
    status = PLAIN_STATUS.get(value.lower())
    if status is None:
        table.fail(line, f"status {value!r} is not active or left")
        return ACTIVE
    return status


def read_plain(source: RosterSource, mapping: RosterMapping, existing: "Existing") -> Roster:
    roster = Roster(format="plain")
    schools = existing.school_codes
    if "students.csv" in source.files:
        roster.modes["students"] = BULK
        table = Table(roster, source.files["students.csv"], required=STUDENT_COLUMNS, optional=STUDENT_OPTIONAL)
        seen: dict[str, int] = {}
        sasids: dict[str, int] = {}
        codes: set[str] = set()
        for line, row in table:
            values = {c: row(c) for c in STUDENT_COLUMNS}
            status = _plain_status(table, line, row("status"))
            if status == DELETED:
                if table.required(line, sis_id=values["sis_id"]):
                    roster.students.append(StudentRow(values["sis_id"], "", "", "", "", None, "", "", None, DELETED,
                                                      table.name, line))
                continue
            if not table.required(line, **values):
                continue
            codes.add(values["district_code"])
            if values["district_code"] not in {c for c, _f, _l in roster.district_codes}:
                roster.district_codes.append((values["district_code"], table.name, line))
            sis_id = values["sis_id"]
            if sis_id in seen:
                table.fail(line, f"sis_id {sis_id!r} is also on line {seen[sis_id]}")
                continue
            seen[sis_id] = line
            sasid = sis_id if mapping.sasid_field == RosterMapping.SasidField.SOURCED_ID else values["sasid"]
            if not SASID_RE.match(sasid):
                table.fail(line, f"sasid {sasid!r} is not 10 digits")
                continue
            if sasid in sasids:
                table.fail(line, f"sasid {sasid} is also on line {sasids[sasid]}")
                continue
            sasids[sasid] = line
            born = table.date(line, "birth_date", values["birth_date"])
            grade = grade_of(values["grade"])
            if grade is None:
                table.fail(line, f"grade {values['grade']!r} is not a grade (PK, K, 01-12, SP)")
            if values["school_code"] not in schools:
                table.fail(line, f"school_code {values['school_code']!r} is not a school of the district")
                continue
            if born is None or grade is None:
                continue
            language = row("home_language")[:60] if table.has("home_language") else None
            roster.students.append(StudentRow(sis_id, sasid, values["first_name"][:100], row("middle_name")[:100],
                                              values["last_name"][:100], born, grade, values["school_code"],
                                              language or None, ACTIVE, table.name, line))
            for n in (1, 2):
                name = row(f"guardian{n}_name")
                if name:
                    relationship = row(f"guardian{n}_relationship").lower() or "parent"
                    if relationship not in ("parent", "guardian", "foster", "surrogate", "other"):
                        table.fail(line, f"guardian{n}_relationship {relationship!r} is not parent, guardian, "
                                         "foster, surrogate or other")
                        continue
                    email = row(f"guardian{n}_email")
                    if email and not EMAIL_RE.match(email):
                        table.fail(line, f"guardian{n}_email {email!r} is not an email address")
                        continue
                    roster.guardians.append(GuardianRow(sis_id, name[:200], relationship, email[:254],
                                                        row(f"guardian{n}_phone")[:30]))
    if "staff.csv" in source.files:
        roster.modes["staff"] = BULK
        table = Table(roster, source.files["staff.csv"], required=STAFF_COLUMNS, optional=STAFF_OPTIONAL)
        seen = {}
        for line, row in table:
            values = {c: row(c) for c in STAFF_COLUMNS}
            status = _plain_status(table, line, row("status"))
            if status == DELETED:
                if table.required(line, sis_id=values["sis_id"]):
                    roster.staff.append(StaffRow(values["sis_id"], "", "", "", "", DELETED, table.name, line))
                continue
            if not table.required(line, **{k: v for k, v in values.items() if k != "role"}):
                continue
            if values["district_code"] not in {c for c, _f, _l in roster.district_codes}:
                roster.district_codes.append((values["district_code"], table.name, line))
            sis_id = values["sis_id"]
            if sis_id in seen:
                table.fail(line, f"sis_id {sis_id!r} is also on line {seen[sis_id]}")
                continue
            seen[sis_id] = line
            if not EMAIL_RE.match(values["email"]):
                table.fail(line, f"email {values['email']!r} is not an email address")
                continue
            codes = [c.strip() for c in re.split(r"[;,]", values["school_codes"]) if c.strip()]
            unknown = [c for c in codes if c not in schools]
            if unknown:
                table.fail(line, f"school_codes {', '.join(unknown)} not a school of the district")
                continue
            username = (row("username") or values["email"])[:150]
            roster.staff.append(StaffRow(sis_id, username, values["email"][:254], values["first_name"][:150],
                                         values["last_name"][:150], ACTIVE, table.name, line))
            mapped = mapping.role_for(values["role"])
            if mapped != SKIP:
                roster.staff_roles.extend(StaffRoleRow(sis_id, mapped, code) for code in codes)
    if not roster.modes:
        raise RosterInputError("No roster files found: expect OneRoster (manifest.csv, orgs.csv, users.csv, ...) "
                               "or the plain students.csv and/or staff.csv.")
    return roster


@dataclass
class Existing:
    """What the district already holds, for checking delta references (ids the files do not repeat)."""

    schools: set[str] = field(default_factory=set)        # SIS org ids linked to schools
    orgs: set[str] = field(default_factory=set)
    school_codes: set[str] = field(default_factory=set)   # DESE codes (plain CSV)
    students: set[str] = field(default_factory=set)
    staff: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)


def read_roster(source: RosterSource, mapping: RosterMapping, existing: Existing) -> Roster:
    """The files as one checked Roster: OneRoster when manifest.csv is there, else the plain CSV."""
    if "manifest.csv" in source.files:
        return read_oneroster(source, mapping, existing)
    if any(name in source.files for name in ("users.csv", "orgs.csv", "enrollments.csv")):
        raise RosterInputError("These look like OneRoster files, but manifest.csv is missing.")
    return read_plain(source, mapping, existing)
