from django.urls import path

from . import views

app_name = "iep"
urlpatterns = [
    path("student/<int:student_pk>/", views.student_ieps, name="student_ieps"),
    path("student/<int:student_pk>/evaluations/", views.student_evaluations, name="student_evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_edit, name="evaluation_edit"),
    path("<int:pk>/", views.iep_detail, name="detail"),
    path("<int:pk>/header/", views.iep_header, name="header"),
    path("<int:pk>/glance/", views.iep_glance, name="glance"),
    path("<int:pk>/goals/add/", views.goal_add, name="goal_add"),
    path("<int:pk>/propose/", views.iep_propose, name="propose"),
    path("<int:pk>/respond/", views.iep_respond, name="respond"),
    path("<int:pk>/amend/", views.iep_amend, name="amend"),
    path("<int:pk>/copy-forward/", views.iep_copy_forward, name="copy_forward"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/autosave/", views.section_autosave, name="section_autosave"),
    path("sections/<int:pk>/break-lock/", views.section_break_lock, name="section_break_lock"),
    path("sections/<int:pk>/history/", views.section_history_page, name="section_history"),
    path("sections/<int:pk>/history/<int:history_id>/restore/", views.section_restore, name="section_restore"),
    path("sections/<int:pk>/remove/", views.goal_remove, name="goal_remove"),
    path("sections/<int:pk>/move/", views.goal_move, name="goal_move"),
    path("sections/<int:pk>/lines/add/", views.line_form, name="line_add"),
    path("sections/<int:pk>/lines/<slug:line_id>/", views.line_form, name="line_edit"),
    path("sections/<int:pk>/lines/<slug:line_id>/remove/", views.line_remove, name="line_remove"),
    path("sections/<int:pk>/lines/<slug:line_id>/move/", views.line_move, name="line_move"),
]
