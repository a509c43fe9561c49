# syntax=docker/dockerfile:1.7
# One image for every jointcall service and role: `jointcall migrate|api|worker <service>` (and `up`).
# No secret is baked in: every credential arrives at run time through JOINTCALL_* environment variables.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: install the package and its dependencies into a self-contained virtualenv ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
# a non-editable install: the runtime stage copies only /opt/venv, not the sources
RUN pip install --no-compile . \
    && pip check

# ---- runtime: the virtualenv on a clean slim base, run as an unprivileged user ------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="jointcall" \
      org.opencontainers.image.description="Synchronised transregional research-funding calls: migrate, api and worker of the four services" \
      org.opencontainers.image.source="https://example.org/jointcall"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 jointcall \
    && useradd --system --uid 10001 --gid jointcall --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin jointcall \
    && mkdir /data \
    && chown jointcall:jointcall /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /data
# numeric, so that Kubernetes' runAsNonRoot can verify it
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["jointcall"]
CMD ["--help"]
