from django.urls import path

from . import manage_views as views

app_name = "manage"
urlpatterns = [
    path("", views.index, name="index"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("users/<int:user_pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_pk>/roles/", views.role_add, name="role_add"),
    path("roles/<int:role_pk>/remove/", views.role_remove, name="role_remove"),
    path("students/<int:pk>/team/", views.team, name="team"),
    path("students/<int:pk>/team/chair/", views.team_chair, name="team_chair"),
    path("students/<int:pk>/team/<int:user_pk>/remove/", views.team_remove, name="team_remove"),
]
