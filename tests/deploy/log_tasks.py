"""Test-only tasks, loaded into a worker subprocess with `-I tests.deploy.log_tasks` (see test_process_logs)."""

import datetime
import logging

from celery import shared_task

logger = logging.getLogger("students.careless")


@shared_task
def log_a_student_task(crafted: str) -> int:
    """Logs what must never be written as is: a student object, a birth date, a name in `extra`, a query string."""
    from students.models import Student

    student = Student(pk=4242, first_name="Zephyrine", last_name="Quillfeather",
                      date_of_birth=datetime.date(2014, 7, 9))
    logger.info("opened %s born %s from %s", student, student.date_of_birth, crafted)
    logger.warning("search typed", extra={"student_name": "Zephyrine Quillfeather", "student_id": 4242})
    print("a stray print on 2014-07-09")  # stdout must not bypass the logging
    return 4242
