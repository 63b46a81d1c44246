"""Reading the files without the database: SASID sources, grades, 1.1 and 1.2 roles."""

import pytest

from roster.exceptions import RosterInputError
from roster.models import RosterMapping
from roster.parse import Existing, grade_of, read_roster
from roster.sources import open_source

from .builders import OneRosterSet


def _read(tmp_path, files, version="1.1", sasid_field="identifier"):
    """The checked roster; its zip stays open (enrollments are streamed from it)."""
    source = open_source([files.zip(tmp_path / f"r{version}.zip", version=version)])
    return read_roster(source, RosterMapping(name="t", sasid_field=sasid_field), Existing())


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_both_versions_read_the_same_roster(tmp_path, version):
    roster = _read(tmp_path, OneRosterSet("12345678"), version)
    assert roster.error_count == 0, roster.errors
    assert roster.format == f"oneroster-{version}" and roster.mode == "bulk"
    assert [s.sis_id for s in roster.students] == [f"stu{i}" for i in range(6)]
    assert {s.sis_id for s in roster.staff} == {"tch0", "tch1", "tch2", "adm0"}
    assert ("tch1", "general_educator", "sch1") in {tuple(r) for r in roster.staff_roles}
    assert roster.guardians[0].student_sis_id == "stu0" and roster.guardians[0].relationship == "parent"
    assert roster.district_codes == [("12345678", "orgs.csv", 2)]
    assert sum(1 for _ in roster.enrollments()) == 9


def test_the_sasid_comes_from_the_field_the_mapping_names(tmp_path):
    files = OneRosterSet("12345678")
    for i, user in enumerate(u for u in files.users if u["role"] == "student"):
        user["userIds"] = f"{{LOCAL:L{i}}},{{SASID:{5_000_000_000 + i}}}"
    roster = _read(tmp_path, files, sasid_field="userIds")
    assert roster.students[2].sasid == "5000000002"
    refused = _read(tmp_path, files, sasid_field="username")  # usernames are not SASIDs
    assert refused.errors[0]["message"] == "SASID 'stu0' (from username) is not 10 digits"


def test_grades_are_mapped_from_oneroster_codes():
    assert [grade_of(g) for g in ("KG", "PK", "05", "5", "12", "13", "IT", "Other")] == [
        "K", "PK", "05", "05", "12", "SP", "PK", None]


def test_an_unknown_oneroster_version_is_refused(tmp_path):
    files = OneRosterSet("12345678")
    text = files.files()
    path = tmp_path / "f"
    path.mkdir()
    for name, body in text.items():
        (path / name).write_text(body.replace("oneroster.version,1.1", "oneroster.version,1.0"))
    source = open_source([path])
    with pytest.raises(RosterInputError, match="OneRoster 1.1 and 1.2 are read"):
        read_roster(source, RosterMapping(name="t"), Existing())


def test_a_12_delta_may_delete_a_user_who_has_no_role_left(tmp_path):
    files = OneRosterSet("12345678")
    files.modes = {k: "absent" for k in files.modes} | {"users": "delta"}
    files.users = [{**files.user("stu1"), "status": "tobedeleted", "role": ""},
                   {**files.user("tch2"), "status": "tobedeleted", "role": ""},
                   {"sourcedId": "never-seen", "status": "tobedeleted", "givenName": "", "familyName": ""}]
    source = open_source([files.zip(tmp_path / "d.zip", version="1.2")])
    roster = read_roster(source, RosterMapping(name="t"), Existing(students={"stu1"}, staff={"tch2"}))
    assert roster.error_count == 0, roster.errors
    assert [(s.sis_id, s.status) for s in roster.students] == [("stu1", "tobedeleted")]
    assert [(s.sis_id, s.status) for s in roster.staff] == [("tch2", "tobedeleted")]
