# schemagate container image.
#
#   docker build -t schemagate:0.1.0 .
#
# Build stage: the same scripts a developer and CI run (scripts/deps.sh is the single source of
# truth for packages), so the image is built exactly like the binary the tests exercise.
FROM debian:12 AS build
WORKDIR /src
# Dependencies first, in their own layer: source edits do not reinstall the toolchain.
COPY scripts/deps.sh scripts/deps.sh
RUN bash scripts/deps.sh --build-only
COPY . .
RUN bash scripts/build.sh /src/build -DSCHEMAGATE_TESTS=OFF

# Runtime stage: only the shared libraries the binary loads (tests/chart/dockerfile_test.sh maps
# every library `ldd schemagate` resolves to its Debian package and checks it is here or in the
# base image). libpg_query and the Boost parts used are linked statically / header-only.
#   libssl3         - TLS for the webhook listener and the apiserver client (libssl, libcrypto)
#   libyaml-cpp0.7  - policy and cluster-state YAML
#   libstdc++6, libgcc-s1 - the C++ runtime (already in debian:12-slim; listed to be explicit)
# libc6 comes with the base image.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libssl3 libyaml-cpp0.7 libstdc++6 libgcc-s1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 schemagate \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin schemagate
COPY --from=build /src/build/schemagate /usr/local/bin/schemagate
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Validating admission webhook for database-migration Jobs"
# Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/schemagate"]
