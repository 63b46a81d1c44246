#!/bin/sh
# The one way the production processes start: the image's ENTRYPOINT (docker-compose.yml) and the production
# smoke test (tests/deploy/test_production_smoke.py) both run this script, so the test proves what compose runs.
#
#   deploy/entrypoint.sh web       migrate, then gunicorn (config/gunicorn.py) as PID 1 of the container
#   deploy/entrypoint.sh worker    a Celery worker
#   deploy/entrypoint.sh beat      Celery beat; its schedule file lives in $IEP_STATE_DIR (writable), not the code
#   deploy/entrypoint.sh manage …  any manage.py command, e.g. `manage create_district …`
#   deploy/entrypoint.sh healthcheck web|worker|beat   exit 0 when that process is healthy (compose healthchecks)
#   anything else                  run as given
#
# `exec` replaces the shell, so the server is the process that receives SIGTERM from `docker stop` and shuts
# down cleanly (gunicorn finishes its requests; a Celery worker finishes or returns its jobs).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${IEP_PYTHON:-python}"
STATE_DIR="${IEP_STATE_DIR:-var/state}"

# celery --quiet: no start-up banner on stdout; every line the processes write is a JSON log line (config/logging.py)
case "${1:-web}" in
  web)
    shift || true
    if [ "${IEP_MIGRATE:-true}" = "true" ]; then
      "$PYTHON" manage.py migrate --no-input -v0
    fi
    exec "$PYTHON" -m gunicorn -c config/gunicorn.py config.wsgi:application "$@"
    ;;
  worker)
    shift
    exec "$PYTHON" -m celery --quiet -A config worker --concurrency="${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    shift
    mkdir -p "$STATE_DIR"
    exec "$PYTHON" -m celery --quiet -A config beat --schedule="$STATE_DIR/celerybeat-schedule" "$@"
    ;;
  healthcheck)
    case "${2:-web}" in
      worker) exec "$PYTHON" -m celery -A config inspect ping --timeout 10 \
                --destination "celery@${HOSTNAME:-$(hostname)}" >/dev/null ;;
      *) exec "$PYTHON" deploy/healthcheck.py "${2:-web}" ;;
    esac
    ;;
  manage)
    shift
    exec "$PYTHON" manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
