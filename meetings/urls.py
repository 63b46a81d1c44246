"""Pages of Team meetings: included at the site root (`path("", include("meetings.urls"))`)."""

from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("students/<int:student_pk>/meetings/", views.student_meetings, name="student_meetings"),
    path("students/<int:student_pk>/consents/", views.consents, name="consents"),
    path("meetings/", views.my_meetings, name="mine"),
    path("meetings/month/", views.month, name="month"),
    path("meetings/feed/", views.feed, name="feed"),
    path("meetings/feed/<str:token>/calendar.ics", views.feed_ics, name="feed_ics"),
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:meeting_pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:meeting_pk>/hold/", views.meeting_hold, name="hold"),
    path("meetings/<int:meeting_pk>/invitations/", views.invitation_create, name="invitation_create"),
    path("meetings/<int:meeting_pk>/contacts/", views.contact_create, name="contact_create"),
    path("meetings/<int:meeting_pk>/excusals/", views.excusal_create, name="excusal_create"),
    path("meetings/<int:meeting_pk>/attendance/", views.attendance_create, name="attendance_create"),
    path("meetings/invitations/<int:invitation_pk>/", views.invitation_status, name="invitation"),
    path("meetings/invitations/<int:invitation_pk>/download/", views.invitation_download,
         name="invitation_download"),
    path("meetings/excusals/<int:excusal_pk>/agreement/", views.excusal_agreement, name="excusal_agreement"),
    path("meetings/consents/<int:consent_pk>/", views.consent_respond, name="consent_respond"),
    path("meetings/consents/<int:consent_pk>/form/", views.consent_form, name="consent_form"),
]
