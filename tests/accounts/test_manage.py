import pytest

from accounts.models import Role, RoleAssignment, TeamMembership, User
from students.models import StudentUserObjectPermission
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas["district_admin"])
    return client


def test_district_admin_lists_and_searches_only_their_districts_staff(admin_client, personas):
    page = admin_client.get("/manage/users/", {"q": "team"})
    assert page.status_code == 200
    names = {user.username for user in page.context["page"].object_list}
    assert names == {"team_teacher", "team_sped", "team_chair"}
    everyone = {u.username for u in admin_client.get("/manage/users/").context["page"].object_list}
    assert "other_district_teacher" not in everyone and "building_admin" in everyone


def test_creating_a_user_then_giving_them_a_building_role(admin_client, personas):
    response = admin_client.post("/manage/users/new/", {
        "district": personas["district"].pk, "username": "new.teacher", "first_name": "Nia", "last_name": "New"})
    user = User.objects.get(username="new.teacher")
    assert response.status_code == 302 and user.district == personas["district"] and not user.has_usable_password()
    response = admin_client.post(f"/manage/users/{user.pk}/roles/",
                                 {"role": Role.GENERAL_EDUCATOR, "school": personas["school_b"].pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=user).school == personas["school_b"]


def test_a_duplicate_username_is_a_form_error(admin_client, personas):
    response = admin_client.post("/manage/users/new/", {
        "district": personas["district"].pk, "username": "team_teacher", "first_name": "A", "last_name": "B"})
    assert response.status_code == 200 and "username" in response.context["form"].errors


def test_the_district_field_offers_only_administered_districts(admin_client, personas):
    response = admin_client.post("/manage/users/new/", {
        "district": personas["other_district"].pk, "username": "sneaky", "first_name": "A", "last_name": "B"})
    assert "district" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.parametrize(("role", "school", "field", "message"), [
    (Role.BUILDING_ADMIN, None, "school", "This role is held at a school"),
    (Role.DISTRICT_ADMIN, "school_a", "school", "assigned to the district, not to a school"),
    (Role.TEAM_CHAIR, "foreign", "school", "Select a valid choice"),
])
def test_role_validation_errors_show_in_the_form(admin_client, personas, role, school, field, message):
    target = personas["same_school_teacher"]
    school_pk = {None: "", "school_a": personas["school_a"].pk, "foreign": SchoolFactory(
        district=personas["other_district"]).pk}[school]
    response = admin_client.post(f"/manage/users/{target.pk}/roles/", {"role": role, "school": school_pk})
    assert response.status_code == 400
    assert message in " ".join(response.context["role_form"].errors[field])
    assert message in response.content.decode()
    assert target.role_assignments.count() == 1


def test_the_same_role_twice_is_refused(admin_client, personas):
    target = personas["same_school_teacher"]
    response = admin_client.post(f"/manage/users/{target.pk}/roles/",
                                 {"role": Role.GENERAL_EDUCATOR, "school": personas["school_a"].pk})
    assert response.status_code == 400 and target.role_assignments.count() == 1


def test_removing_a_role_and_deactivating(admin_client, personas):
    target = personas["building_admin"]
    assignment = target.role_assignments.get()
    assert admin_client.post(f"/manage/roles/{assignment.pk}/remove/").status_code == 302
    assert not target.role_assignments.exists()
    assert admin_client.post(f"/manage/users/{target.pk}/deactivate/").status_code == 302
    target.refresh_from_db()
    assert not target.is_active


def test_an_admin_cannot_deactivate_themselves(admin_client, personas):
    me = personas["district_admin"]
    admin_client.post(f"/manage/users/{me.pk}/deactivate/")
    me.refresh_from_db()
    assert me.is_active


def test_team_membership_follows_with_guardian_rows(admin_client, personas):
    student, newcomer = personas["student"], personas["same_school_teacher"]
    assert admin_client.post(f"/manage/students/{student.pk}/team/",
                             {"member-user": newcomer.pk, "member-team_role": "member",
                              "member-responsibility": "Math"}).status_code == 302
    assert StudentUserObjectPermission.objects.filter(user=newcomer, content_object=student).exists()
    chair = admin_client.post(f"/manage/students/{student.pk}/team/chair/", {"chair-user": newcomer.pk})
    assert chair.status_code == 302
    roles = dict(TeamMembership.objects.filter(student=student).values_list("user__username", "team_role"))
    assert roles["same_school_teacher"] == "chair" and roles["team_chair"] == "member"
    assert admin_client.post(f"/manage/students/{student.pk}/team/{newcomer.pk}/remove/").status_code == 302
    assert not StudentUserObjectPermission.objects.filter(user=newcomer, content_object=student).exists()


def test_a_user_of_another_district_cannot_join_the_team(admin_client, personas):
    student, outsider = personas["student"], personas["other_district_teacher"]
    response = admin_client.post(f"/manage/students/{student.pk}/team/",
                                 {"member-user": outsider.pk, "member-team_role": "member"})
    assert response.status_code == 400 and "user" in response.context["member_form"].errors
    assert not TeamMembership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("district_admin", 200), ("building_admin", 403), ("team_chair", 403), ("other_district_admin", 404),
])
def test_who_may_open_a_users_page(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(f"/manage/users/{personas['team_teacher'].pk}/").status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("district_admin", 200), ("building_admin", 403), ("team_chair", 403), ("same_school_teacher", 404),
    ("other_district_admin", 404),
])
def test_who_may_manage_a_team(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(f"/manage/students/{personas['student'].pk}/team/").status_code == status


def test_the_manage_nav_entry_shows_for_district_admins_only(client, personas):
    client.force_login(personas["district_admin"])
    assert b'href="/manage/"' in client.get("/students/").content
    client.force_login(personas["building_admin"])
    assert b'href="/manage/"' not in client.get("/students/").content
    assert client.get("/manage/").status_code == 403


def test_a_user_without_district_is_out_of_scope(admin_client):
    assert admin_client.get(f"/manage/users/{UserFactory(district=None).pk}/").status_code == 404


def test_a_district_admin_gives_a_new_account_an_initial_password(client, personas):
    from accounts.models import User

    client.force_login(personas["district_admin"])
    data = {"district": personas["district"].pk, "username": "new.teacher", "first_name": "Robin",
            "last_name": "Avery", "email": "", "job_title": ""}
    weak = client.post("/manage/users/new/", {**data, "password": "password"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    assert not User.objects.filter(username="new.teacher").exists()
    client.post("/manage/users/new/", {**data, "password": "a long enough passphrase 42"})
    assert User.objects.get(username="new.teacher").check_password("a long enough passphrase 42")


def test_the_team_page_has_unique_ids_and_each_label_names_its_own_select(admin_client, personas):
    from html.parser import HTMLParser

    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.labels, self.label_for, self.selects = [], {}, None, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "id" in attrs:
                self.ids.append(attrs["id"])
            if tag == "label":
                self.label_for = attrs.get("for")
            if tag == "select":
                self.selects.append((attrs["id"], attrs["name"]))

        def handle_data(self, data):
            if self.label_for and data.strip():
                self.labels.setdefault(self.label_for, data.strip())

        def handle_endtag(self, tag):
            if tag == "label":
                self.label_for = None

    page = Ids()
    page.feed(admin_client.get(f"/manage/students/{personas['student'].pk}/team/").content.decode())
    assert len(page.ids) == len(set(page.ids)), sorted(i for i in page.ids if page.ids.count(i) > 1)
    assert ("id_member-user", "member-user") in page.selects and ("id_chair-user", "chair-user") in page.selects
    assert page.labels["id_member-user"] == "Staff member" and page.labels["id_chair-user"] == "New Team chair"
    assert page.labels["id_member-team_role"] == "Role on the Team"
    assert all(select_id in page.labels for select_id, _name in page.selects)
