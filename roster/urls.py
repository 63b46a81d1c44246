from django.urls import path

from . import views

app_name = "roster"
urlpatterns = [
    path("districts/<int:district_pk>/", views.district_page, name="district"),
    path("districts/<int:district_pk>/runs/<int:pk>/", views.run_detail, name="run"),
    path("districts/<int:district_pk>/runs/<int:pk>/apply/", views.run_apply, name="run_apply"),
    path("districts/<int:district_pk>/mappings/new/", views.mapping_edit, name="mapping_new"),
    path("districts/<int:district_pk>/mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
    path("templates/students.csv", views.template_students, name="template_students"),
    path("templates/staff.csv", views.template_staff, name="template_staff"),
    path("students/<int:pk>/suggested-teachers/", views.suggestions, name="suggestions"),
]
