from tests.jobs.conftest import celery_on, own_redis  # noqa: F401 (fixtures: a throwaway redis-server, Celery on it)
