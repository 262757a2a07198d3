# syntax=docker/dockerfile:1
# Job Copilot: a small runtime image with only the binary (templates,
# static files and migrations are built into it).

FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so a code change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --create-home jobcopilot
COPY --from=build /src/target/release/jobcopilot /usr/local/bin/jobcopilot
COPY config/default.toml /app/config/default.toml
WORKDIR /app
USER 10001
ENV JOBCOPILOT_LISTEN=0.0.0.0:8080 \
    JOBCOPILOT_ENV=production \
    JOBCOPILOT_DATA_DIR=/app/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/jobcopilot", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/jobcopilot"]
CMD ["serve"]
