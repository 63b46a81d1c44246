"""Writing a checked Roster to the database, set-based (docs/roster-import.md, "How a run writes").

Each kind of row is loaded into a temporary staging table (PostgreSQL: COPY; SQLite: executemany), then
written with a few statements each: UPDATE ... FROM staging WHERE some column IS DISTINCT FROM the file's
value, INSERT ... SELECT the rows not there yet, and an UPDATE for leavers. Only rows that really change are
written, so importing the same files twice writes nothing. History rows of changed students, guardians and
role assignments are written in bulk with the run as their change reason. The caller runs all of this in one
transaction (and rolls it back for a dry run or when any row is invalid).
"""

import re
import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import DatabaseError, connection, transaction

from accounts.models import RoleAssignment, TeamMembership, User
from students.models import District, Guardian, School, Student

from . import parse
from .models import AcademicSession, Enrollment, ImportRun, RosterClass, SchoolLink, StaffLink
from .parse import ACTIVE, BULK, DELETED, Existing, Roster

Progress = Callable[[int, str], None]

T_STUDENT, T_GUARDIAN = Student._meta.db_table, Guardian._meta.db_table
T_USER, T_ROLE = User._meta.db_table, RoleAssignment._meta.db_table
T_LINK, T_CLASS = StaffLink._meta.db_table, RosterClass._meta.db_table
T_ENROLL, T_SESSION = Enrollment._meta.db_table, AcademicSession._meta.db_table

STAGING = {
    "stg_student": [("sis_id", "text"), ("sasid", "text"), ("first_name", "text"), ("middle_name", "text"),
                    ("last_name", "text"), ("birth_date", "date"), ("grade", "text"), ("school_id", "bigint"),
                    ("language", "text"), ("status", "text"), ("file", "text"), ("line", "integer")],
    "stg_guardian": [("student_sis_id", "text"), ("name", "text"), ("relationship", "text"), ("email", "text"),
                     ("phone", "text")],
    "stg_staff": [("sis_id", "text"), ("username", "text"), ("email", "text"), ("first_name", "text"),
                  ("last_name", "text"), ("status", "text"), ("password", "text"), ("file", "text"),
                  ("line", "integer")],
    "stg_role": [("staff_sis_id", "text"), ("role", "text"), ("school_id", "bigint")],
    "stg_class": [("sis_id", "text"), ("title", "text"), ("school_id", "bigint"), ("status", "text")],
    "stg_enrollment": [("sis_id", "text"), ("class_sis_id", "text"), ("user_sis_id", "text"), ("role", "text"),
                       ("status", "text"), ("student_id", "bigint"), ("staff_id", "bigint")],
    "stg_session": [("sis_id", "text"), ("title", "text"), ("session_type", "text"), ("start_date", "date"),
                    ("end_date", "date"), ("parent_sis_id", "text"), ("school_year", "text"), ("status", "text")],
    "stg_ids": [("id", "bigint"), ("kind", "text")],
    "stg_known": [("kind", "text"), ("sis_id", "text")],
}
INDEXES = {"stg_student": "sis_id", "stg_staff": "sis_id", "stg_enrollment": "sis_id", "stg_class": "sis_id",
           "stg_session": "sis_id", "stg_ids": "id"}


def existing_of(district: District) -> Existing:
    """The district's SIS ids already known, for checking references in delta files."""
    return Existing(
        schools=set(SchoolLink.objects.filter(district=district).values_list("sis_id", flat=True)),
        school_codes=set(School.objects.filter(district=district).values_list("code", flat=True)),
        students=set(Student.objects.filter(district=district).exclude(local_id="")
                     .values_list("local_id", flat=True)),
        staff=set(StaffLink.objects.filter(district=district).values_list("sis_id", flat=True)),
        classes=set(RosterClass.objects.filter(district=district).values_list("sis_id", flat=True)),
    )


class Writer:
    """One run's writes: staging tables, the set-based statements, and what they counted."""

    def __init__(self, *, run: ImportRun, roster: Roster, progress: Progress,
                 mirror_unchanged_since: ImportRun | None = None):
        self.run, self.roster, self.progress = run, roster, progress
        self.mirror_unchanged_since = mirror_unchanged_since
        self.district_id = run.district_id
        self.pg = connection.vendor == "postgresql"
        self.cursor = connection.cursor()
        self.counts: dict[str, dict[str, int]] = {}
        self.rows_written = 0
        self.errors: list[dict] = []
        self.now = datetime.now().astimezone()

    # ------------------------------------------------------------ plumbing
    def sql(self, text: str) -> str:
        """PostgreSQL spelling -> SQLite where they differ."""
        if not self.pg:  # SQLite: RETURNING names only the target table's columns, unqualified
            text = re.sub(r"RETURNING \w+\.id", "RETURNING id", text.replace("IS DISTINCT FROM", "IS NOT"))
        return text

    def execute(self, text: str, params: Iterable = (), *, written: bool = True) -> int:
        self.cursor.execute(self.sql(text), list(params))
        count = max(self.cursor.rowcount, 0)
        if written:
            self.rows_written += count
        return count

    def returning(self, text: str, params: Iterable = ()) -> list[int]:
        self.cursor.execute(self.sql(text), list(params))
        ids = [row[0] for row in self.cursor.fetchall()]
        self.rows_written += len(ids)
        return ids

    def count(self, kind: str, what: str, n: int) -> None:
        self.counts.setdefault(kind, {}).setdefault(what, 0)
        self.counts[kind][what] += n

    def create_staging(self) -> None:
        for table, columns in STAGING.items():
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
            spec = ", ".join(f"{name} {kind if self.pg else ''}".strip() for name, kind in columns)
            suffix = " ON COMMIT DROP" if self.pg else ""
            self.cursor.execute(f"CREATE TEMP TABLE {table} ({spec}){suffix}")

    def drop_staging(self) -> None:
        for table in STAGING:
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def load(self, table: str, rows: Iterable[tuple]) -> int:
        """Fill a staging table: COPY on PostgreSQL, executemany on SQLite; then index and analyze it."""
        columns = [name for name, _kind in STAGING[table]]
        n = 0
        if self.pg:
            with self.cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            batch: list[tuple] = []
            marks = ", ".join("?" for _ in columns)
            for row in rows:
                batch.append(tuple(row))
                if len(batch) >= 5000:
                    self.cursor.cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
                    n += len(batch)
                    batch = []
            if batch:
                self.cursor.cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
                n += len(batch)
        if table in INDEXES:
            self.cursor.execute(f"CREATE INDEX {table}_key ON {table} ({INDEXES[table]})")
        if self.pg:
            self.cursor.execute(f"ANALYZE {table}")
        return n

    def analyze(self, *tables: str) -> None:
        """PostgreSQL: refresh the planner's statistics after a bulk write in this transaction (ANALYZE counts the
        transaction's own new rows; autovacuum would only see them after commit), so the next statements join on
        the indexes instead of nested loops over tables the planner believes empty."""
        if self.pg:
            for table in tables:
                self.cursor.execute(f"ANALYZE {table}")

    def ids_into_staging(self, ids_by_kind: dict[str, list[int]]) -> None:
        self.cursor.execute("DELETE FROM stg_ids")
        rows = [(i, kind) for kind, ids in ids_by_kind.items() for i in ids]
        if rows:
            self.load_more("stg_ids", rows)
            self.analyze("stg_ids")

    def load_more(self, table: str, rows: list[tuple]) -> None:
        columns = [name for name, _kind in STAGING[table]]
        if self.pg:
            with self.cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.cursor.cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    def history(self, model, ids_by_kind: dict[str, list[int]]) -> None:
        """Bulk history rows (simple-history's table) for changed rows, tagged with the run."""
        if not any(ids_by_kind.values()):
            return
        history = model.history.model
        skip = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
        columns = [f.column for f in history._meta.fields if f.name not in skip]
        self.ids_into_staging(ids_by_kind)
        types = {"created": "+", "changed": "~"}
        for kind, ids in ids_by_kind.items():
            if not ids:
                continue
            self.execute(
                f"INSERT INTO {history._meta.db_table} ({', '.join(columns)}, history_date, history_change_reason, "
                f"history_type, history_user_id) SELECT {', '.join('t.' + c for c in columns)}, %s, %s, %s, %s "
                f"FROM {model._meta.db_table} t JOIN stg_ids i ON i.id = t.id WHERE i.kind = %s",
                [self.now, self.run.history_tag, types[kind], self.run.started_by_id, kind])

    def fail(self, file: str, line: int, message: str) -> None:
        self.errors.append({"file": file, "line": line, "message": message})

    # ------------------------------------------------------------ the run
    def write(self) -> None:
        roster, modes = self.roster, self.roster.modes
        self.create_staging()
        self.progress(35, "schools")
        school_keys = self.schools()
        self.progress(40, "students")
        if "users" in modes or "students" in modes:
            self.students(school_keys)
        self.progress(55, "staff")
        if "users" in modes or "staff" in modes:
            self.staff(school_keys)
        if self.errors:
            return
        self.progress(65, "classes and enrollments")
        if self.mirror_unchanged_since is not None:
            self.count("mirror", "unchanged_since_run", self.mirror_unchanged_since.pk)
            self.drop_staging()
            return
        if "classes" in modes:
            self.classes(school_keys)
        if roster.enrollment_file is not None:
            self.enrollments()
        self.progress(90, "academic sessions")
        if roster.sessions:
            self.sessions()
            self.marking_periods()
        self.drop_staging()

    def schools(self) -> dict[str, int]:
        """OneRoster: schools by their org sourcedId (linked, else matched on DESE code, else created).
        Plain CSV: schools are the district's own, by DESE code. Few rows: the ORM is fine here."""
        if self.roster.format == "plain":
            return dict(School.objects.filter(district_id=self.district_id).values_list("code", "pk"))
        links = dict(SchoolLink.objects.filter(district_id=self.district_id).values_list("sis_id", "school_id"))
        by_code = {s.code: s for s in School.objects.filter(district_id=self.district_id)}
        by_pk = {s.pk: s for s in by_code.values()}
        for row in self.roster.schools:
            if row.status == DELETED:
                continue  # schools are never deleted (students keep their school); the link stays
            school = by_pk.get(links.get(row.sis_id)) or by_code.get(row.code)
            if school is None:
                school = School.objects.create(district_id=self.district_id, name=row.name, code=row.code)
                by_code[row.code] = by_pk[school.pk] = school
                self.rows_written += 1
                self.count("schools", "created", 1)
            elif school.name != row.name or school.code != row.code:
                if school.code != row.code and row.code in by_code:
                    self.fail("orgs.csv", row.line, f"identifier {row.code} is the code of another school")
                    continue
                School.objects.filter(pk=school.pk).update(name=row.name, code=row.code)
                self.rows_written += 1
                self.count("schools", "updated", 1)
            else:
                self.count("schools", "unchanged", 1)
            if links.get(row.sis_id) != school.pk:
                SchoolLink.objects.update_or_create(district_id=self.district_id, sis_id=row.sis_id,
                                                    defaults={"school": school})
                links[row.sis_id] = school.pk
                self.rows_written += 1
        return links

    def students(self, school_keys: dict[str, int]) -> None:
        d = self.district_id
        roster = self.roster
        mode = roster.modes.get("users") or roster.modes.get("students")
        self.load("stg_student", (
            (s.sis_id, s.sasid, s.first_name, s.middle_name, s.last_name, s.birth_date, s.grade,
             school_keys.get(s.school_sis_id), s.language, s.status, s.file, s.line) for s in roster.students))
        # Checks against the database: a SASID held by a student of another district, or by another student here.
        self.cursor.execute(
            f"SELECT g.file, g.line, g.sasid, s.district_id, s.local_id FROM stg_student g JOIN {T_STUDENT} s "
            f"ON s.sasid = g.sasid WHERE g.status = %s AND (s.district_id <> %s OR s.local_id <> g.sis_id)",
            [ACTIVE, d])
        for file, line, sasid, district_id, local_id in self.cursor.fetchall():
            where = "a student of another district" if district_id != d else f"the student with SIS id {local_id!r}"
            self.fail(file, line, f"SASID {sasid} already belongs to {where}")
        if self.errors:
            return
        changed = self.returning(f"""
            UPDATE {T_STUDENT} AS s SET school_id = g.school_id, sasid = g.sasid, first_name = g.first_name,
                middle_name = g.middle_name, last_name = g.last_name,
                date_of_birth = COALESCE(g.birth_date, s.date_of_birth), grade = g.grade,
                primary_language = COALESCE(g.language, s.primary_language), active = TRUE, left_on = NULL
            FROM stg_student g
            WHERE s.district_id = %s AND s.local_id = g.sis_id AND g.status = %s AND (
                s.school_id IS DISTINCT FROM g.school_id OR s.sasid IS DISTINCT FROM g.sasid
                OR s.first_name IS DISTINCT FROM g.first_name OR s.middle_name IS DISTINCT FROM g.middle_name
                OR s.last_name IS DISTINCT FROM g.last_name
                OR s.date_of_birth IS DISTINCT FROM COALESCE(g.birth_date, s.date_of_birth)
                OR s.grade IS DISTINCT FROM g.grade
                OR s.primary_language IS DISTINCT FROM COALESCE(g.language, s.primary_language)
                OR NOT s.active OR s.left_on IS NOT NULL)
            RETURNING s.id""", [d, ACTIVE])
        created = self.returning(f"""
            INSERT INTO {T_STUDENT} (district_id, school_id, sasid, local_id, first_name, middle_name, last_name,
                date_of_birth, grade, primary_disability, secondary_disability, primary_language, active,
                special_education, left_on)
            SELECT %s, g.school_id, g.sasid, g.sis_id, g.first_name, g.middle_name, g.last_name, g.birth_date,
                g.grade, '', '', COALESCE(g.language, 'English'), TRUE, FALSE, NULL
            FROM stg_student g
            WHERE g.status = %s AND NOT EXISTS (
                SELECT 1 FROM {T_STUDENT} s WHERE s.district_id = %s AND s.local_id = g.sis_id)
            RETURNING id""", [d, ACTIVE, d])
        # Leavers: never deleted; marked as having left on the run's date (the record-retention clock starts).
        gone = ("NOT EXISTS (SELECT 1 FROM stg_student g WHERE g.sis_id = s.local_id AND g.status = 'active')"
                if mode == BULK else
                "EXISTS (SELECT 1 FROM stg_student g WHERE g.sis_id = s.local_id AND g.status = 'tobedeleted')")
        left = self.returning(f"""
            UPDATE {T_STUDENT} AS s SET active = FALSE, left_on = %s
            WHERE s.district_id = %s AND s.local_id <> '' AND s.active AND {gone} RETURNING s.id""",
                              [self.run.run_date, d])
        if len(created) > 100:
            self.analyze(T_STUDENT)
        self.count("students", "created", len(created))
        self.count("students", "updated", len(changed))
        self.count("students", "left", len(left))
        self.count("students", "in_files", sum(1 for s in roster.students if s.status == ACTIVE))
        self.history(Student, {"created": created, "changed": changed + left})
        self.guardians()

    def guardians(self) -> None:
        """Guardians by (student, name): added when new, contact details updated; never removed by a file."""
        seen, rows = set(), []
        for g in self.roster.guardians:
            key = (g.student_sis_id, g.name.lower())
            if key not in seen:
                seen.add(key)
                rows.append(tuple(g))
        if not rows:
            return
        self.load("stg_guardian", rows)
        d = self.district_id
        changed = self.returning(f"""
            UPDATE {T_GUARDIAN} AS x SET relationship = g.relationship, email = g.email, phone = g.phone
            FROM stg_guardian g JOIN {T_STUDENT} s ON s.district_id = %s AND s.local_id = g.student_sis_id
            WHERE x.student_id = s.id AND lower(x.name) = lower(g.name) AND (x.relationship IS DISTINCT FROM
                g.relationship OR x.email IS DISTINCT FROM g.email OR x.phone IS DISTINCT FROM g.phone)
            RETURNING x.id""", [d])
        created = self.returning(f"""
            INSERT INTO {T_GUARDIAN} (student_id, name, relationship, email, phone, address, preferred_language,
                is_primary_contact)
            SELECT s.id, g.name, g.relationship, g.email, g.phone, '', 'English', FALSE
            FROM stg_guardian g JOIN {T_STUDENT} s ON s.district_id = %s AND s.local_id = g.student_sis_id
            WHERE NOT EXISTS (SELECT 1 FROM {T_GUARDIAN} x WHERE x.student_id = s.id AND lower(x.name) = lower(g.name))
            RETURNING id""", [d])
        self.count("guardians", "created", len(created))
        self.count("guardians", "updated", len(changed))
        self.history(Guardian, {"created": created, "changed": changed})

    def staff(self, school_keys: dict[str, int]) -> None:
        d = self.district_id
        roster = self.roster
        mode = roster.modes.get("users") or roster.modes.get("staff")
        # New accounts get an unusable password ("!" + random, as make_password(None) makes, one call per row): they
        # sign in through the district's identity provider or a password reset.
        self.load("stg_staff", ((s.sis_id, s.username, s.email, s.first_name, s.last_name, s.status,
                                 UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30), s.file, s.line)
                                for s in roster.staff))
        self.load("stg_role", ((r.staff_sis_id, r.role, school_keys.get(r.school_sis_id)) for r in roster.staff_roles))
        self.cursor.execute(f"""
            SELECT g.file, g.line, g.username FROM stg_staff g JOIN {T_USER} u ON lower(u.username) = lower(g.username)
            WHERE g.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM {T_LINK} l WHERE l.district_id = %s AND l.sis_id = g.sis_id AND l.user_id = u.id)
            AND (u.district_id IS NULL OR u.district_id <> %s OR EXISTS (
                SELECT 1 FROM {T_LINK} l WHERE l.district_id = %s AND l.user_id = u.id))""", [d, d, d])
        for file, line, username in self.cursor.fetchall():
            self.fail(file, line, f"username {username!r} belongs to another account (outside the district, or "
                                  "linked to another SIS id)")
        self.cursor.execute("SELECT min(file), max(line), lower(username) FROM stg_staff WHERE status = 'active' "
                            "GROUP BY lower(username) HAVING count(*) > 1")
        for file, line, username in self.cursor.fetchall():
            self.fail(file, line, f"username {username!r} is given to more than one staff member")
        if self.errors:
            return
        # Accounts of the district with the same username, not linked yet: link them (matched, not duplicated).
        linked = self.execute(f"""
            INSERT INTO {T_LINK} (district_id, sis_id, user_id)
            SELECT %s, g.sis_id, u.id FROM stg_staff g JOIN {T_USER} u ON lower(u.username) = lower(g.username)
                AND u.district_id = %s
            WHERE g.status = 'active' AND NOT EXISTS (SELECT 1 FROM {T_LINK} l WHERE l.district_id = %s
                AND (l.sis_id = g.sis_id OR l.user_id = u.id))""", [d, d, d])
        changed = self.returning(f"""
            UPDATE {T_USER} AS u SET first_name = g.first_name, last_name = g.last_name, email = g.email,
                is_active = TRUE
            FROM stg_staff g JOIN {T_LINK} l ON l.district_id = %s AND l.sis_id = g.sis_id
            WHERE u.id = l.user_id AND g.status = 'active' AND (u.first_name IS DISTINCT FROM g.first_name
                OR u.last_name IS DISTINCT FROM g.last_name OR u.email IS DISTINCT FROM g.email OR NOT u.is_active)
            RETURNING u.id""", [d])
        created = self.returning(f"""
            INSERT INTO {T_USER} (password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined, district_id, job_title)
            SELECT g.password, FALSE, g.username, g.first_name, g.last_name, g.email, FALSE, TRUE, %s, %s, ''
            FROM stg_staff g
            WHERE g.status = 'active' AND NOT EXISTS (SELECT 1 FROM {T_LINK} l WHERE l.district_id = %s
                AND l.sis_id = g.sis_id)
            RETURNING id""", [self.now, d, d])
        if created:
            self.ids_into_staging({"created": created})
            self.execute(f"""
                INSERT INTO {T_LINK} (district_id, sis_id, user_id)
                SELECT %s, g.sis_id, u.id FROM stg_staff g JOIN {T_USER} u ON u.username = g.username
                JOIN stg_ids i ON i.id = u.id WHERE g.status = 'active'""", [d])
        if created:
            self.analyze(T_USER, T_LINK)
        gone = ("NOT EXISTS (SELECT 1 FROM stg_staff g WHERE g.sis_id = l.sis_id AND g.status = 'active')"
                if mode == BULK else
                "EXISTS (SELECT 1 FROM stg_staff g WHERE g.sis_id = l.sis_id AND g.status = 'tobedeleted')")
        deactivated = self.returning(f"""
            UPDATE {T_USER} AS u SET is_active = FALSE
            WHERE u.is_active AND u.id IN (SELECT l.user_id FROM {T_LINK} l WHERE l.district_id = %s AND {gone})
            RETURNING u.id""", [d])
        roles = self.returning(f"""
            INSERT INTO {T_ROLE} (user_id, role, district_id, school_id)
            SELECT DISTINCT l.user_id, r.role, %s, r.school_id FROM stg_role r
            JOIN {T_LINK} l ON l.district_id = %s AND l.sis_id = r.staff_sis_id
            WHERE r.school_id IS NOT NULL AND r.role <> 'district_admin' AND NOT EXISTS (
                SELECT 1 FROM {T_ROLE} a WHERE a.user_id = l.user_id AND a.role = r.role AND a.school_id = r.school_id)
            RETURNING id""", [d, d])
        self.count("staff", "created", len(created))
        self.count("staff", "updated", len(changed))
        self.count("staff", "linked", linked)
        self.count("staff", "deactivated", len(deactivated))
        self.count("staff", "in_files", sum(1 for s in roster.staff if s.status == ACTIVE))
        self.count("roles", "created", len(roles))
        self.history(RoleAssignment, {"created": roles})
        if deactivated:
            self.count("locks", "released", self.release_locks(deactivated))

    def release_locks(self, user_ids: list[int]) -> int:
        """Free the section locks of staff who left, and tell each student's Team chair (few rows: the ORM)."""
        from iep.models import LockNotice, SectionLock, SectionLockEvent

        released = 0
        locks = SectionLock.objects.filter(holder_id__in=user_ids).select_related("holder", "section__iep")
        for lock in locks:
            section, holder = lock.section, lock.holder
            SectionLock.objects.filter(pk=lock.pk).update(holder=None, acquired_at=None, expires_at=None)
            SectionLockEvent.objects.create(section=section, kind=SectionLockEvent.Kind.BROKEN,
                                            user=self.run.started_by,
                                            previous_holder=holder, generation=lock.generation, at=self.now,
                                            reason=f"{holder} left the district ({self.run.history_tag}).")
            chair = (TeamMembership.objects.filter(student_id=section.iep.student_id,
                                                   team_role=TeamMembership.TeamRole.CHAIR)
                     .values_list("user_id", flat=True).first())
            if chair is not None:
                LockNotice.objects.create(
                    user_id=chair, section=section, created_at=self.now,
                    message=f"{holder} left the district, so their hold on the section "
                            f"“{section.get_kind_display()}” of an IEP on your caseload was released "
                            f"(roster import of {self.run.run_date:%B} {self.run.run_date.day}). "
                            "Their unsaved draft is kept.")
            released += 1
            self.rows_written += 3 if chair is not None else 2
        return released

    def classes(self, school_keys: dict[str, int]) -> None:
        d = self.district_id
        self.load("stg_class", ((c.sis_id, c.title, school_keys.get(c.school_sis_id), c.status)
                                for c in self.roster.classes))
        changed = self.execute(f"""
            UPDATE {T_CLASS} AS x SET title = g.title, school_id = g.school_id FROM stg_class g
            WHERE x.district_id = %s AND x.sis_id = g.sis_id AND g.status = 'active'
                AND (x.title IS DISTINCT FROM g.title OR x.school_id IS DISTINCT FROM g.school_id)""", [d])
        created = self.execute(f"""
            INSERT INTO {T_CLASS} (district_id, sis_id, title, school_id)
            SELECT %s, g.sis_id, g.title, g.school_id FROM stg_class g WHERE g.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM {T_CLASS} x WHERE x.district_id = %s AND x.sis_id = g.sis_id)""", [d, d])
        gone = ("NOT EXISTS (SELECT 1 FROM stg_class g WHERE g.sis_id = {t}.sis_id AND g.status = 'active')"
                if self.roster.modes["classes"] == BULK else
                "EXISTS (SELECT 1 FROM stg_class g WHERE g.sis_id = {t}.sis_id AND g.status = 'tobedeleted')")
        removed = self.execute(f"DELETE FROM {T_CLASS} WHERE district_id = %s AND " + gone.format(t=T_CLASS), [d])
        self.count("classes", "created", created)
        self.count("classes", "updated", changed)
        self.count("classes", "removed", removed)

    def check_enrollments(self) -> None:
        """Only check enrollments.csv (other files already have errors): every error listed, nothing written."""
        if self.pg:
            self.create_staging()
            self.stage_enrollments_pg()
        else:
            for _row in self.roster.enrollments():
                pass

    def stage_enrollments_pg(self) -> bool:
        """PostgreSQL: COPY enrollments.csv as it is into a raw table (the server parses the CSV; the file never
        passes through Python row by row), check it with a few set-based queries that report each problem with its
        line, then fill stg_enrollment with the checked student and teacher rows. False when a problem was found.

        A line number is the record's position plus one (the header is line 1): exact unless a value holds a line
        break, which enrollment ids do not."""
        import psycopg

        roster, name = self.roster, self.roster.enrollment_file.display
        rows = roster.enrollment_file.rows()
        try:
            header_line, header = next(rows)
        except StopIteration:
            roster.error(name, 1, "the file is empty (no header row)")
            return False
        except Exception as exc:
            roster.error(name, 1, f"cannot be read as CSV: {exc}")
            return False
        finally:
            rows.close()
        lowered = {cell.strip().lower(): i for i, cell in enumerate(header)}
        required = ["sourcedId", "classSourcedId", "userSourcedId", "role"]
        missing = [c for c in required if c.lower() not in lowered]
        if missing:
            roster.error(name, header_line, f"missing required column(s): {', '.join(missing)}")
            return False
        col = {c: f"btrim(r.c{lowered[c.lower()]})" for c in required}
        status = f"btrim(r.c{lowered['status']})" if "status" in lowered else "''"
        modified = f"btrim(r.c{lowered['datelastmodified']})" if "datelastmodified" in lowered else "''"
        spec = ", ".join(f"c{i} text" for i in range(len(header)))
        self.cursor.execute("DROP TABLE IF EXISTS stg_raw_enrollment")
        self.cursor.execute(f"CREATE TEMP TABLE stg_raw_enrollment (line serial, {spec}) ON COMMIT DROP")
        encoding = "WIN1252" if roster.enrollment_file.encoding == "cp1252" else "UTF8"
        columns = ", ".join(f"c{i}" for i in range(len(header)))
        try:
            with transaction.atomic(), self.cursor.cursor.copy(
                    f"COPY stg_raw_enrollment ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                    f"ENCODING '{encoding}')") as copy, roster.enrollment_file.opener() as raw:
                while chunk := raw.read(1 << 20):
                    copy.write(chunk)
        except (DatabaseError, psycopg.Error) as exc:  # the raw cursor raises psycopg's own errors
            context = getattr(getattr(exc.__cause__ or exc, "diag", None), "context", "") or ""
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", context)) else 0
            roster.error(name, line, f"cannot be read as CSV: {str(exc).splitlines()[0]}")
            return False
        self.cursor.execute("ANALYZE stg_raw_enrollment")
        self.cursor.execute(f"""
            SELECT r.line + 1, {col['sourcedId']}, {col['classSourcedId']}, {col['userSourcedId']}, {col['role']},
                {status}, {modified}
            FROM stg_raw_enrollment r
            WHERE coalesce({col['sourcedId']}, '') = '' OR coalesce({col['classSourcedId']}, '') = ''
                OR coalesce({col['userSourcedId']}, '') = '' OR coalesce({col['role']}, '') = ''
                OR coalesce({status}, '') NOT IN ('', 'active', 'tobedeleted')
                OR (coalesce({modified}, '') <> '' AND {modified} !~ %s)
            ORDER BY r.line""", [parse.DATETIME_RE.pattern])
        for line, sis_id, class_id, user_id, role, state, stamp in self.cursor.fetchall():
            values = dict(zip(required, (sis_id, class_id, user_id, role), strict=True))
            if not any(values.values()):
                continue
            if state not in (None, "", "active", "tobedeleted"):
                roster.error(name, line, f"status {state!r} is not active or tobedeleted")
            if stamp and not parse.DATETIME_RE.match(stamp):
                roster.error(name, line, f"dateLastModified {stamp!r} is not an ISO 8601 date-time "
                                         "(2026-08-31T12:00:00Z)")
            empty = [c for c, v in values.items() if not v]
            if empty:
                roster.error(name, line, f"no value for {', '.join(empty)}")
        self.cursor.execute(f"""
            WITH twice AS (SELECT {col['sourcedId'].replace('r.', '')} AS sis_id FROM stg_raw_enrollment
                           GROUP BY 1 HAVING count(*) > 1)
            SELECT line, sis_id FROM (SELECT r.line + 1 AS line, t.sis_id, row_number() OVER (
                PARTITION BY t.sis_id ORDER BY r.line) AS n FROM stg_raw_enrollment r
                JOIN twice t ON t.sis_id = {col['sourcedId']} WHERE t.sis_id <> '') d WHERE n > 1 ORDER BY line""")
        for line, sis_id in self.cursor.fetchall():
            roster.error(name, line, f"sourcedId {sis_id!r} appears twice in enrollments.csv")
        # References: classes and users of the files, or (unless that file is a bulk one) of the district.
        self.load_more("stg_known", [("class", c) for c in roster.known_classes]
                       + [("user", u) for u in roster.known_users])
        self.cursor.execute("ANALYZE stg_known")
        self.cursor.execute(f"""
            SELECT r.line + 1, {col['classSourcedId']}, {col['userSourcedId']},
                NOT EXISTS (SELECT 1 FROM stg_known k WHERE k.kind = 'class' AND k.sis_id = {col['classSourcedId']})
            FROM stg_raw_enrollment r
            WHERE {col['role']} IN ('student', 'teacher') AND coalesce({status}, '') IN ('', 'active')
                AND (NOT EXISTS (SELECT 1 FROM stg_known k WHERE k.kind = 'class'
                                 AND k.sis_id = {col['classSourcedId']})
                     OR NOT EXISTS (SELECT 1 FROM stg_known k WHERE k.kind = 'user'
                                    AND k.sis_id = {col['userSourcedId']}))
            ORDER BY r.line""")
        for line, class_id, user_id, unknown_class in self.cursor.fetchall():
            if unknown_class:
                roster.error(name, line, f"classSourcedId {class_id!r} is not a class of classes.csv or of the "
                                         "district")
            else:
                roster.error(name, line, f"userSourcedId {user_id!r} is not a user of users.csv or of the district")
        if roster.error_count:
            return False
        d = self.district_id
        roster.enrollment_count = self.execute(f"""
            INSERT INTO stg_enrollment (sis_id, class_sis_id, user_sis_id, role, status, student_id, staff_id)
            SELECT {col['sourcedId']}, {col['classSourcedId']}, {col['userSourcedId']}, {col['role']},
                CASE WHEN coalesce({status}, '') = '' THEN 'active' ELSE {status} END, s.id, l.user_id
            FROM stg_raw_enrollment r
            LEFT JOIN {T_STUDENT} s ON s.district_id = %s AND s.local_id = {col['userSourcedId']}
                AND {col['role']} = 'student'
            LEFT JOIN {T_LINK} l ON l.district_id = %s AND l.sis_id = {col['userSourcedId']}
                AND {col['role']} = 'teacher'
            WHERE {col['role']} IN ('student', 'teacher')""", [d, d], written=False)
        self.cursor.execute("ANALYZE stg_enrollment")  # no index: every join on it is a hash join (enable_nestloop off)
        self.cursor.execute("DROP TABLE stg_raw_enrollment")
        return True

    def enrollments(self) -> None:
        d = self.district_id
        if self.pg:
            if not self.stage_enrollments_pg():
                return
        else:
            # The ids the enrollments point to, resolved while streaming (two dicts, no UPDATE of staged rows).
            students = dict(Student.objects.filter(district_id=d).exclude(local_id="")
                            .values_list("local_id", "pk"))
            staff = dict(StaffLink.objects.filter(district_id=d).values_list("sis_id", "user_id"))
            self.load("stg_enrollment", (
                (e.sis_id, e.class_sis_id, e.user_sis_id, e.role, e.status,
                 students.get(e.user_sis_id) if e.role == "student" else None,
                 staff.get(e.user_sis_id) if e.role == "teacher" else None) for e in self.roster.enrollments()))
            del students, staff
        if self.roster.error_count:
            return
        self.progress(75, "enrollments")
        changed = self.execute(f"""
            UPDATE {T_ENROLL} AS x SET class_sis_id = e.class_sis_id, role = e.role, student_id = e.student_id,
                staff_id = e.staff_id
            FROM stg_enrollment e WHERE x.district_id = %s AND x.sis_id = e.sis_id AND e.status = 'active' AND (
                x.class_sis_id IS DISTINCT FROM e.class_sis_id OR x.role IS DISTINCT FROM e.role
                OR x.student_id IS DISTINCT FROM e.student_id OR x.staff_id IS DISTINCT FROM e.staff_id)""", [d])
        created = self.execute(f"""
            INSERT INTO {T_ENROLL} (district_id, sis_id, class_sis_id, role, student_id, staff_id)
            SELECT %s, e.sis_id, e.class_sis_id, e.role, e.student_id, e.staff_id FROM stg_enrollment e
            WHERE e.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM {T_ENROLL} x WHERE x.district_id = %s AND x.sis_id = e.sis_id)""", [d, d])
        if created > 100:
            self.analyze(T_ENROLL)
        gone = ("NOT EXISTS (SELECT 1 FROM stg_enrollment e WHERE e.sis_id = {t}.sis_id AND e.status = 'active')"
                if self.roster.modes["enrollments"] == BULK else
                "EXISTS (SELECT 1 FROM stg_enrollment e WHERE e.sis_id = {t}.sis_id AND e.status = 'tobedeleted')")
        removed = self.execute(f"DELETE FROM {T_ENROLL} WHERE district_id = %s AND "
                               + gone.format(t=T_ENROLL), [d])
        self.count("enrollments", "created", created)
        self.count("enrollments", "updated", changed)
        self.count("enrollments", "removed", removed)
        self.count("enrollments", "in_files", self.roster.enrollment_count)

    def sessions(self) -> None:
        d = self.district_id
        self.load("stg_session", (tuple(s) for s in self.roster.sessions))
        changed = self.execute(f"""
            UPDATE {T_SESSION} AS x SET title = g.title, session_type = g.session_type, start_date = g.start_date,
                end_date = g.end_date, parent_sis_id = g.parent_sis_id, school_year = g.school_year
            FROM stg_session g WHERE x.district_id = %s AND x.sis_id = g.sis_id AND g.status = 'active' AND (
                x.title IS DISTINCT FROM g.title OR x.session_type IS DISTINCT FROM g.session_type
                OR x.start_date IS DISTINCT FROM g.start_date OR x.end_date IS DISTINCT FROM g.end_date
                OR x.parent_sis_id IS DISTINCT FROM g.parent_sis_id OR x.school_year IS DISTINCT FROM g.school_year)
            """, [d])
        created = self.execute(f"""
            INSERT INTO {T_SESSION} (district_id, sis_id, title, session_type, start_date, end_date, parent_sis_id,
                school_year)
            SELECT %s, g.sis_id, g.title, g.session_type, g.start_date, g.end_date, g.parent_sis_id, g.school_year
            FROM stg_session g WHERE g.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM {T_SESSION} x WHERE x.district_id = %s AND x.sis_id = g.sis_id)""", [d, d])
        gone = ("NOT EXISTS (SELECT 1 FROM stg_session g WHERE g.sis_id = {t}.sis_id AND g.status = 'active')"
                if self.roster.modes.get("academicSessions") == BULK else
                "EXISTS (SELECT 1 FROM stg_session g WHERE g.sis_id = {t}.sis_id AND g.status = 'tobedeleted')")
        removed = self.execute(f"DELETE FROM {T_SESSION} WHERE district_id = %s AND " + gone.format(t=T_SESSION), [d])
        self.count("sessions", "created", created)
        self.count("sessions", "updated", changed)
        self.count("sessions", "removed", removed)

    def marking_periods(self) -> None:
        """The files' active grading periods become the district's marking periods of progress reports
        (docs/roster-import.md, "Grading periods and marking periods"), through the progress app's own
        `period_save`, so a period is checked exactly as one typed in or imported from CSV: an overlap, an end
        before the start or a name too long becomes a row error of academicSessions.csv. Matched on school year
        and name among the district-wide periods: unchanged ones are not written again (a re-import writes
        nothing), changed dates update the period. Report due date: the period's end date. A grading period
        gone from the files leaves its marking period alone (reports may have been written for it)."""
        from progress.exceptions import InvalidInput
        from progress.models import MarkingPeriod
        from progress.services import period_save

        district = District.objects.get(pk=self.district_id)
        existing = {(p.school_year, p.name): p for p in MarkingPeriod.objects.filter(
            district_id=self.district_id, school__isnull=True, iep__isnull=True)}
        created = updated = 0
        for s in sorted(self.roster.sessions, key=lambda s: s.start_date):
            if s.session_type != "gradingPeriod" or s.status != ACTIVE:
                continue
            year = int(s.school_year)
            school_year = f"{year - 1}-{year % 100:02d}"  # OneRoster names a school year by the year it ends
            name = s.title.strip()
            start, end = date.fromisoformat(s.start_date), date.fromisoformat(s.end_date)
            period = existing.get((school_year, name))
            if period is not None and (period.start, period.end, period.report_due) == (start, end, end):
                continue
            try:
                with transaction.atomic():
                    period_save(district=district, school_year=school_year, name=name, start=start, end=end,
                                report_due=end, period=period)
            except InvalidInput as exc:
                message = "; ".join(f"{field}: {m}" for field, msgs in exc.errors.items() for m in msgs)
                self.fail("academicSessions.csv", self.roster.session_lines.get(s.sis_id, 0),
                          f"grading period {s.sis_id!r} cannot become a marking period: {message}")
                continue
            if period is None:
                created += 1
            else:
                updated += 1
            self.rows_written += 1
        self.count("marking_periods", "created", created)
        self.count("marking_periods", "updated", updated)


def grading_periods(roster: Roster) -> list[dict]:
    """The files' grading periods, as kept on the run for the marking periods of progress reports."""
    return [{"sis_id": s.sis_id, "title": s.title, "start_date": s.start_date, "end_date": s.end_date,
             "school_year": s.school_year, "parent_sis_id": s.parent_sis_id}
            for s in roster.sessions if s.session_type == "gradingPeriod" and s.status == ACTIVE]
