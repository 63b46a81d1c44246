"""Access-log entries for the Django admin's reads of one student's data (docs/security.md).

Superusers read every district in the admin; opening a student, a parent, an IEP, a section, an evaluation or a
timeline row there is a read of that student's record like any other door, and is logged the same way.
"""

from django.contrib.admin.utils import unquote

from . import access


class StudentReadLoggedAdmin:
    """Mixed into a ModelAdmin: change, history and past-version pages log the object's student."""

    access_log_part = "record"
    student_path = "student"  # attribute path from the object to its student; "" when the object is the student

    def _log_admin_read(self, request, object_id, response):
        if getattr(response, "status_code", None) != 200:
            return
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return
        student = obj
        for name in filter(None, self.student_path.split(".")):
            student = getattr(student, name)
        access.log_read(request, student, self.access_log_part, obj=None if obj is student else obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_admin_read(request, object_id, response)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._log_admin_read(request, object_id, response)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._log_admin_read(request, object_id, response)
        return response
