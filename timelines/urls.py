from django.urls import path

from . import views

app_name = "timelines"
urlpatterns = [
    path("students/<int:pk>/timeline/", views.student_timeline, name="student"),
    path("students/<int:pk>/timeline/facts/", views.student_facts, name="facts"),
    path("students/<int:pk>/timeline/events/<int:event_pk>/", views.event_correct, name="event_correct"),
    path("districts/<int:district_pk>/calendars/", views.calendar_list, name="calendars"),
    path("districts/<int:district_pk>/calendars/new/", views.calendar_edit, name="calendar_new"),
    path("districts/<int:district_pk>/calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("districts/<int:district_pk>/calendar.json", views.calendar_export_json, name="calendar_json"),
    path("districts/<int:district_pk>/calendar.ics", views.calendar_export_ics, name="calendar_ics"),
]
