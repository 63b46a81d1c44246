"""Roster files made by the tests: a small OneRoster set (1.1 or 1.2) and the plain CSV, editable row by row."""

import copy
import csv
import io
import zipfile
from pathlib import Path

USER_COLUMNS_11 = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
                   "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
                   "agentSourcedIds", "grades", "password", "metadata.homeLanguage"]
USER_COLUMNS_12 = [c for c in USER_COLUMNS_11 if c not in ("orgSourcedIds", "role")] + ["primaryOrgSourcedId"]
STAMP = "2026-08-31T12:00:00Z"


def csv_text(header: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


class OneRosterSet:
    """A district with two schools, students (one with a parent), three teachers, classes and enrollments."""

    def __init__(self, district_code: str, *, school_codes=("41000005", "41000010"), students: int = 6,
                 sasid_base: int = 4_100_000_000):
        self.modes = {k: "bulk" for k in ("orgs", "users", "demographics", "classes", "enrollments",
                                           "academicSessions")}
        self.orgs = [{"sourcedId": "d1", "name": "Roster Test District", "type": "district",
                      "identifier": district_code}]
        self.orgs += [{"sourcedId": f"sch{i}", "name": f"Roster School {i}", "type": "school", "identifier": code,
                       "parentSourcedId": "d1"} for i, code in enumerate(school_codes)]
        self.users = []
        for i in range(students):
            self.users.append({"sourcedId": f"stu{i}", "role": "student", "orgSourcedIds": f"sch{i % 2}",
                               "username": f"stu{i}", "givenName": f"Kid{i}", "familyName": f"Rostered{i}",
                               "identifier": f"{sasid_base + i:010d}", "grades": f"{i % 12 + 1:02d}",
                               "metadata.homeLanguage": "spa" if i == 0 else ""})
        self.users[0]["agentSourcedIds"] = "par0"
        self.users.append({"sourcedId": "par0", "role": "parent", "orgSourcedIds": "sch0", "givenName": "Pat",
                           "familyName": "Parent", "email": "pat.parent@example.org", "phone": "617-555-0101"})
        for t in range(3):
            self.users.append({"sourcedId": f"tch{t}", "role": "teacher", "orgSourcedIds": f"sch{t % 2}",
                               "username": f"roster.teacher{t}", "givenName": f"Teach{t}", "familyName": "Er",
                               "email": f"roster.teacher{t}@example.org"})
        self.users.append({"sourcedId": "adm0", "role": "administrator", "orgSourcedIds": "sch0",
                           "username": "roster.principal", "givenName": "Prin", "familyName": "Cipal",
                           "email": "roster.principal@example.org"})
        self.demographics = [{"sourcedId": f"stu{i}", "birthDate": f"{2010 + i % 8}-0{i % 9 + 1}-1{i % 9}"}
                             for i in range(students)]
        self.classes = [{"sourcedId": f"cls{c}", "title": f"Grade class {c}", "schoolSourcedId": f"sch{c % 2}",
                         "classType": "scheduled"} for c in range(3)]
        self.enrollments = [{"sourcedId": f"e-t{c}", "classSourcedId": f"cls{c}", "schoolSourcedId": f"sch{c % 2}",
                             "userSourcedId": f"tch{c}", "role": "teacher"} for c in range(3)]
        self.enrollments += [{"sourcedId": f"e-s{i}", "classSourcedId": f"cls{i % 3}",
                              "schoolSourcedId": f"sch{i % 3 % 2}", "userSourcedId": f"stu{i}", "role": "student"}
                             for i in range(students)]
        self.sessions = [{"sourcedId": "sy27", "title": "2026-2027", "type": "schoolYear", "startDate": "2026-08-27",
                          "endDate": "2027-06-16", "schoolYear": "2027"},
                         {"sourcedId": "gp1", "title": "Quarter 1", "type": "gradingPeriod",
                          "startDate": "2026-08-27", "endDate": "2026-11-06", "parentSourcedId": "sy27",
                          "schoolYear": "2027"}]

    def copy(self) -> "OneRosterSet":
        return copy.deepcopy(self)

    def user(self, sis_id: str) -> dict:
        return next(u for u in self.users if u["sourcedId"] == sis_id)

    def files(self, version: str = "1.1") -> dict[str, str]:
        stamp = {"status": "active", "dateLastModified": STAMP}

        def rows(items):
            return [{**stamp, **item} for item in items]
        manifest = [{"propertyName": "manifest.version", "value": "1.0"},
                    {"propertyName": "oneroster.version", "value": version}]
        manifest += [{"propertyName": f"file.{kind}", "value": mode} for kind, mode in self.modes.items()]
        if version == "1.2":
            manifest.append({"propertyName": "file.roles", "value": self.modes["users"]})
        files = {"manifest.csv": csv_text(["propertyName", "value"], manifest)}
        present = {kind for kind, mode in self.modes.items() if mode != "absent"}
        if "orgs" in present:
            files["orgs.csv"] = csv_text(["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
                                          "parentSourcedId"], rows(self.orgs))
        if "users" in present:
            if version == "1.1":
                files["users.csv"] = csv_text(USER_COLUMNS_11, rows(self.users))
            else:
                files["users.csv"] = csv_text(USER_COLUMNS_12, rows(
                    [{**u, "primaryOrgSourcedId": u.get("orgSourcedIds", "")} for u in self.users]))
                roles = [{"sourcedId": f"r-{u['sourcedId']}", "userSourcedId": u["sourcedId"], "roleType": "primary",
                          "role": u["role"], "orgSourcedId": u.get("orgSourcedIds", "")}
                         for u in self.users if u.get("role")]
                files["roles.csv"] = csv_text(["sourcedId", "status", "dateLastModified", "userSourcedId",
                                               "roleType", "role", "orgSourcedId", "userProfileSourcedId",
                                               "beginDate", "endDate"], rows(roles))
        if "demographics" in present:
            files["demographics.csv"] = csv_text(["sourcedId", "status", "dateLastModified", "birthDate", "sex"],
                                                 rows(self.demographics))
        if "classes" in present:
            files["classes.csv"] = csv_text(["sourcedId", "status", "dateLastModified", "title", "classCode",
                                             "classType", "location", "courseSourcedId", "grades", "subjects",
                                             "schoolSourcedId", "termSourcedIds"], rows(self.classes))
        if "enrollments" in present:
            files["enrollments.csv"] = csv_text(["sourcedId", "status", "dateLastModified", "classSourcedId",
                                                 "schoolSourcedId", "userSourcedId", "role", "primary",
                                                 "beginDate", "endDate"], rows(self.enrollments))
        if "academicSessions" in present:
            files["academicSessions.csv"] = csv_text(["sourcedId", "status", "dateLastModified", "title", "type",
                                                      "startDate", "endDate", "parentSourcedId", "schoolYear"],
                                                     rows(self.sessions))
        return files

    def zip(self, path: Path, version: str = "1.1", *, encoding: str = "utf-8", folder: str = "") -> Path:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.files(version).items():
                archive.writestr(folder + name, text.encode(encoding))
        return path

    def folder(self, path: Path, version: str = "1.1") -> Path:
        path.mkdir(parents=True, exist_ok=True)
        for name, text in self.files(version).items():
            (path / name).write_text(text, encoding="utf-8", newline="")
        return path


def plain_files(folder: Path, district_code: str, school_codes: list[str], *, students: int = 4,
                sasid_base: int = 4_200_000_000, left: tuple = ()) -> list[Path]:
    """students.csv and staff.csv in the documented plain layout."""
    from roster import parse

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(students):
        rows.append({"district_code": district_code, "school_code": school_codes[i % len(school_codes)],
                     "sis_id": f"P-{i}", "sasid": f"{sasid_base + i:010d}", "first_name": f"Plain{i}",
                     "last_name": "Student", "birth_date": "2014-05-0" + str(i % 9 + 1),
                     "grade": "K" if i == 0 else "03",
                     "home_language": "por" if i == 1 else "", "status": "left" if f"P-{i}" in left else "",
                     "guardian1_name": f"Guardian {i}" if i < 2 else "", "guardian1_email": "",
                     "guardian1_relationship": "guardian" if i < 2 else ""})
    staff = [{"district_code": district_code, "school_codes": ";".join(school_codes), "sis_id": "PT-1",
              "first_name": "Plain", "last_name": "Teacher", "email": "plain.teacher@example.org", "role": "teacher"},
             {"district_code": district_code, "school_codes": school_codes[0], "sis_id": "PT-2",
              "first_name": "Plain", "last_name": "Boss", "email": "plain.boss@example.org",
              "role": "districtAdministrator"}]
    (folder / "students.csv").write_text(csv_text(parse.STUDENT_COLUMNS + parse.STUDENT_OPTIONAL, rows),
                                         encoding="utf-8", newline="")
    (folder / "staff.csv").write_text(csv_text(parse.STAFF_COLUMNS + parse.STAFF_OPTIONAL, staff), encoding="utf-8",
                                      newline="")
    return [folder / "students.csv", folder / "staff.csv"]
