"""Lists and searches never include out-of-scope records, through the page or the API, filtered or not."""

import pytest

from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

EXPECTED = {  # persona -> relations whose students they see
    "team_teacher": {"on_team"}, "team_sped": {"on_team"}, "team_chair": {"on_team"},
    "same_school_teacher": set(), "building_admin": {"on_team", "same_school"},
    "other_school_admin": {"other_school"}, "district_admin": {"on_team", "same_school", "other_school"},
    "other_district_admin": {"other_district"}, "other_district_teacher": set(),
}


@pytest.fixture
def by_relation(personas):
    def named(school):
        return StudentFactory(school=school, last_name=f"Scopewell{school.pk}")
    student = personas["student"]
    student.last_name = "Scopewell"
    student.save()
    return {"on_team": student, "same_school": named(personas["school_a"]), "other_school": named(personas["school_b"]),
            "other_district": named(personas["other_school"])}


def _ids(students):
    return {s.pk for s in students}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("query", [{}, {"q": "Scopewell"}, {"grade": "05"}])
def test_lists_and_searches_hold_exactly_the_visible_students(client, personas, by_relation, persona, query):
    want = {by_relation[relation].pk for relation in EXPECTED[persona]}
    client.force_login(personas[persona])
    page = client.get("/students/", query)
    assert page.status_code == 200
    assert _ids(page.context["page"].object_list) == want
    assert page.context["page"].paginator.count == len(want)
    api = client.get("/api/students/", query).json()
    assert {row["id"] for row in api["results"]} == want and api["count"] == len(want)


def test_a_sasid_search_does_not_reach_out_of_scope(client, personas, by_relation):
    client.force_login(personas["team_teacher"])
    outsider = by_relation["other_district"]
    assert not client.get("/students/", {"q": outsider.sasid}).context["page"].object_list
    assert client.get("/api/students/", {"q": outsider.sasid}).json()["count"] == 0


def test_the_school_filter_offers_only_visible_schools(client, personas, by_relation):
    client.force_login(personas["building_admin"])
    offered = set(client.get("/students/").context["form"].fields["school"].queryset)
    assert offered == {personas["school_a"]}
    page = client.get("/students/", {"school": personas["school_b"].pk})
    assert "school" in page.context["form"].errors  # not offered: rejected, and the list stays in scope
    assert by_relation["other_school"] not in page.context["page"].object_list


def test_the_list_takes_a_fixed_number_of_queries(client, personas, by_relation, django_assert_max_num_queries):
    client.force_login(personas["district_admin"])
    StudentFactory.create_batch(10, school=personas["school_a"])
    with django_assert_max_num_queries(8):
        assert client.get("/students/").status_code == 200
