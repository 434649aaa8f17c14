# Samverkansportalen: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH \
    GUNICORN_BIND=0.0.0.0:8000

# WeasyPrint's system libraries (Pango, HarfBuzz) and fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 ALLOW_LOCAL_CACHE=true \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app portal \
    && mkdir -p /app/var/media /app/var/private /app/var/open-data /app/var/beat \
    && chown -R portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi:application"]
