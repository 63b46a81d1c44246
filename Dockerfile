# One image for web, worker and beat; docker-compose.yml chooses the role (deploy/entrypoint.sh web|worker|beat).
# Python packages come from the hashed lock file (requirements/production.txt): the build installs exactly the
# versions CI tested, and pip refuses any file whose hash differs.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production \
    IEP_STATE_DIR=/app/var/state MEDIA_ROOT=/app/var/media STATIC_ROOT=/app/staticfiles
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/production.txt requirements/production.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/production.txt
# .dockerignore keeps .env, backups, var/, virtual environments and node_modules out of this copy
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input -v0
# The code stays root-owned and read-only to the app; only var/ (media, beat's schedule) is the app's to write.
RUN useradd --system --uid 1000 --home-dir /app/var iep \
    && mkdir -p /app/var/media /app/var/state && chown -R iep /app/var
USER iep
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
