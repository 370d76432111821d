# couplebot in a container: a small Debian base, a non-root user, the database and its key in
# the /data volume, `couplebot status` as the health check. `docker stop` sends SIGTERM, which
# couplebot run honours (it closes the gateway and the database and exits 0).
#   docker build -t couplebot .
#   docker run -d --name couplebot --env-file .env -v couplebot-data:/data couplebot
FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY couplebot ./couplebot
COPY content ./content
RUN python -m venv /opt/couplebot \
    && /opt/couplebot/bin/pip install --quiet -c constraints.txt . \
    && /opt/couplebot/bin/couplebot check-content

FROM python:3.12-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin couplebot \
    && mkdir /data && chown couplebot:couplebot /data && chmod 700 /data
COPY --from=build /opt/couplebot /opt/couplebot
ENV PATH=/opt/couplebot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    COUPLEBOT_DATABASE=/data/couplebot.db
USER couplebot
WORKDIR /data
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=20s --start-period=90s --retries=3 \
    CMD ["couplebot", "status"]
ENTRYPOINT ["couplebot"]
CMD ["run"]
