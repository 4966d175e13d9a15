# coursebot: a slim image with the course content baked in, running as an unprivileged user.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COURSEBOT_DB=/data/coursebot.sqlite3 \
    COURSEBOT_CONTENT=/app/content

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .
COPY content ./content
RUN coursebot validate /app/content

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin coursebot \
    && mkdir -p /data && chown coursebot /data && chmod 700 /data
USER coursebot
VOLUME ["/data"]

CMD ["coursebot", "run"]
