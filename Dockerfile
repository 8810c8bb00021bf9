# Misdelivery Guard — container image.
# Build: docker build -t misdelivery-guard .   (or: docker compose up --build)
FROM python:3.11-slim

# TZ: the machine's zone, which web.timezone defaults to (the pages' and notices' times);
# without it a container runs on UTC and Japanese users read times 9 hours off.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Asia/Tokyo

# libmagic: content sniffing of attachments (attachment.type_mismatch).
# tzdata: the zone database that TZ and web.timezone name zones from.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 tzdata \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY pyproject.toml README.md ./
COPY proxy/ proxy/
COPY inspectors/ inspectors/
COPY rules/ rules/
COPY quarantine/ quarantine/
RUN pip install --no-cache-dir . \
    && rm -rf /build

# Unprivileged user; the state directory (SQLite, outbox, users file) is a volume it owns.
RUN groupadd --system guard \
    && useradd --system --gid guard --home-dir /srv/guard --no-create-home --shell /usr/sbin/nologin guard \
    && mkdir -p /srv/guard/var /etc/misdelivery-guard \
    && chown -R guard:guard /srv/guard

WORKDIR /srv/guard
VOLUME ["/srv/guard/var"]
USER guard

# 2525: SMTP submission from clients / the MTA; 8025: sender and admin web pages.
EXPOSE 2525 8025

CMD ["misdelivery-guard", "serve", "--config", "/etc/misdelivery-guard/guard.yaml"]
