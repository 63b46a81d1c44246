from django.urls import path

from . import oversight, views

app_name = "progress"
urlpatterns = [
    path("progress/worklist/", views.worklist, name="worklist"),
    path("progress/reports/start/", views.report_start, name="report_start"),
    path("progress/reports/<int:pk>/", views.report_edit, name="report_edit"),
    path("progress/reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("progress/goals/<int:pk>/plan/", views.goal_plan, name="goal_plan"),
    path("progress/ieps/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("students/<int:pk>/progress/", views.student_progress, name="student"),
    path("students/<int:pk>/progress/<int:period_pk>/finalise/", views.finalise, name="finalise"),
    path("progress/documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("progress/documents/<int:pk>/sent/", views.document_sent, name="document_sent"),
    path("districts/<int:district_pk>/marking-periods/", views.periods, name="periods"),
    path("districts/<int:district_pk>/marking-periods/<int:pk>/", views.period_edit, name="period_edit"),
    path("dashboard/progress/", oversight.overview, name="oversight"),
    path("dashboard/progress/overdue/", oversight.overdue_list, name="overdue"),
]
