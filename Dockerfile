# The gate keeper's image (`kubectl inplace controller`): the release binary from `make dist`, linked
# with --static-swift-stdlib, on a small Debian base that has the two C libraries it uses.
# Build with `make image` (it runs `make dist` first).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 libyaml-0-2 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ARG BINARY=dist/bin/kubectl-inplace
COPY ${BINARY} /usr/local/bin/kubectl-inplace
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kubectl-inplace"]
CMD ["controller"]
