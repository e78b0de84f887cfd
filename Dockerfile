# Accord production image: gunicorn serves the site, whitenoise serves the static files.
# The same image runs the web, migrate, worker and beat services (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    DEBUG=0 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    WEB_CONCURRENCY=2 \
    MEDIA_ROOT=/var/lib/accord/media

WORKDIR /app

# Production dependencies only, every one pinned by hash. Copied alone first so that a
# code change does not reinstall them.
COPY requirements/prod.lock requirements/prod.lock
RUN pip install --require-hashes -r requirements/prod.lock

COPY . .

# settings.py refuses to start without SECRET_KEY when DEBUG=0; this throwaway key exists
# only for this one step and is not kept in the image.
RUN SECRET_KEY=build-only DEBUG=0 ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

# The code and the collected static files stay owned by root (read-only to the app); the
# app user writes only under its home, /var/lib/accord: uploaded files (MEDIA_ROOT), celery
# beat's schedule, and gunicorn's control socket (~/.gunicorn).
RUN groupadd --system --gid 10001 accord \
    && useradd --system --uid 10001 --gid accord --home-dir /var/lib/accord --no-create-home \
        --shell /usr/sbin/nologin accord \
    && mkdir -p /var/lib/accord/media /var/lib/accord/beat \
    && chown -R accord:accord /var/lib/accord

USER accord
ENV HOME=/var/lib/accord

EXPOSE 8000

# Workers: WEB_CONCURRENCY (default 2). No HEALTHCHECK here: the worker and beat services
# use this image too and serve no HTTP; docker-compose.yml checks the web service.
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers \"${WEB_CONCURRENCY:-2}\" --access-logfile -"]
