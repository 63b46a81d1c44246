"""Access-log entries for API doors that show one student's data (603 CMR 23.07; docs/security.md).

`StudentReadLogging` is mixed into viewsets: `retrieve` logs the object's student; `list` filtered by
`?student=<id>` logs that student when the user may see them (an id outside the scope logs nothing and answers
the same empty list an unknown id would).
"""

from . import access


class StudentListLogging:
    """`list` filtered by `?student=<id>` logs that student when the user may see them. Mix it in FIRST, before
    DRF's ListModelMixin, so its `list` wraps the mixin's."""

    access_log_part = "other"

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        student_id = request.query_params.get("student", "")
        if response.status_code == 200 and student_id.isascii() and student_id.isdigit() and len(student_id) <= 10:
            student = access.visible_students(request.user).filter(pk=int(student_id)).first()
            if student is not None:
                access.log_read(request, student, self.access_log_part)
        return response


class StudentReadLogging(StudentListLogging):
    """`retrieve` logs the object's student; `list` as StudentListLogging."""

    student_path = "student"  # attribute path from the object to its student

    def _student_of(self, obj):
        for name in self.student_path.split("."):
            obj = getattr(obj, name)
        return obj

    def get_object(self):
        self._retrieved = super().get_object()
        return self._retrieved

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        obj = self._retrieved
        access.log_read(request, self._student_of(obj), self.access_log_part, obj=obj)
        return response
