from django.urls import path

from . import dashboard_views as views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("districts/<int:district_pk>/", views.dashboard_district, name="district"),
    path("schools/<int:school_pk>/", views.dashboard_school, name="school"),
    path("caseload/", views.deadline_list, {"which": "caseload"}, name="caseload"),
    path("my-teams/", views.deadline_list, {"which": "teams"}, name="teams"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("deadlines.csv", views.deadline_export, name="deadlines_csv"),
]
