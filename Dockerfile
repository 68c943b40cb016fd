# syntax=docker/dockerfile:1
# KPA production image: gunicorn serves the app, whitenoise the static files; the same image runs
# the Celery worker and beat (see docker-compose.yml).

# --- Build stage: the locked dependencies in /app/.venv ------------------------------------------------
FROM python:3.13-slim AS builder

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.13 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
# Only the lock files first, so code changes do not invalidate the dependency layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project


# --- Runtime stage -----------------------------------------------------------------------------------
FROM python:3.13-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=kpa.settings \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 10001 kpa \
 && useradd --system --uid 10001 --gid kpa --no-create-home --home-dir /app --shell /usr/sbin/nologin kpa

WORKDIR /app
# Same base image and path as the build stage, so the venv's interpreter links stay valid.
COPY --from=builder /app/.venv /app/.venv
COPY . /app

# Static files (hashed and compressed by whitenoise) are part of the image. The key below exists only
# for this RUN step; the real SECRET_KEY comes from the environment at run time (MFA_ENCRYPTION_KEYS too:
# the one below is 32 zero bytes, valid in form only).
RUN SECRET_KEY="collectstatic-build-only-not-a-secret" DEBUG=0 ALLOWED_HOSTS=localhost \
    MFA_ENCRYPTION_KEYS="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
    python manage.py collectstatic --noinput \
 && python -m compileall -q -x '/app/\.venv/' /app
# (The app's own bytecode, as UV_COMPILE_BYTECODE gives the venv's: the app user cannot write it, and
# a module first imported inside a request would otherwise be compiled there, by every worker.)

# Code and static files stay root-owned and read-only for the app user.
USER kpa

EXPOSE 8000

CMD ["gunicorn", "--config", "/app/docker/gunicorn.conf.py", "kpa.wsgi:application"]
