from tests.jobs.conftest import own_redis  # noqa: F401 (a redis-server of the test's own)
