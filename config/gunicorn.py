"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application` (deploy/entrypoint.sh web).

gunicorn runs behind the reverse proxy (deploy/Caddyfile), never exposed directly: its sync workers would be
held by a slow client, and the proxy reads whole requests before passing them on. It trusts X-Forwarded-Proto
and friends only from the proxy's address (FORWARDED_ALLOW_IPS). Every log line is one JSON object, built by
config.gunicorn_logging (see docs/production.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Only the proxy may say "this request came over HTTPS" or "from this client": a comma-separated list of
# addresses or networks, the proxy's own (docker-compose.yml gives Caddy a fixed address). Never "*".
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
control_socket_disable = True  # no socket in $HOME: the container's home is not a place to write
accesslog = "-"
errorlog = "-"
logger_class = "config.gunicorn_logging.JsonLogger"  # builds each line with json.dumps (no access_log_format)
