"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application`.

The access log is one JSON object per line like the app's, and it records the path WITHOUT the query string:
searches put student names in the query (?q=...), and logs never hold student names.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
access_log_format = ('{"ts": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", '
                     '"path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", "ms": "%(M)s", '
                     '"request_id": "%({x-request-id}o)s"}')
