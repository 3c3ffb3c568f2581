# The CiviQuest image: the same processes as `make serve` (see Procfile and docs/deployment.md).
# One image for every process; the command chooses: web (default), worker, beat or release.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CIVIQUEST_VAR_DIR=/var/lib/civiquest \
    CIVIQUEST_STATIC_ROOT=/app/static \
    CIVIQUEST_MANIFEST_STATIC=1 \
    WEB_HOST=0.0.0.0 \
    PORT=8000

WORKDIR /app

# Hash-checked dependencies first, so that a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .
# Interface translations, then the hashed and compressed static files WhiteNoise serves.
RUN python -c "import polib; polib.pofile('locale/en/LC_MESSAGES/django.po').save_as_mofile('locale/en/LC_MESSAGES/django.mo')" \
    && python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --system --no-create-home --home-dir /var/lib/civiquest civiquest \
    && mkdir -p /var/lib/civiquest \
    && chown civiquest /var/lib/civiquest

USER civiquest
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request, os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
CMD ["gunicorn", "--config", "config/gunicorn.conf.py"]
