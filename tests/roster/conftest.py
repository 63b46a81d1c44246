from tests.jobs.conftest import celery_on, own_redis  # noqa: F401 (a real worker on the test's own Redis)
