#!/usr/bin/env bash
# `make images`: ocrq's image and a Redis image built with podman from a base made without any registry
# (deploy/base-image.sh: debootstrap from a Debian mirror), for a site that cannot pull the official images.
# Packages still come from a Debian mirror (apt) and a Python package index (pip): the host's own, as its
# apt sources and pip configuration say. Run from the repository root.
#
# Environment:
#   OCRQ_IMAGE        ocrq's image (default localhost/ocrq:latest)
#   OCRQ_REDIS_IMAGE  the Redis image (default localhost/ocrq-redis:latest)
#   BASE              the base of both; default: the debootstrapped bookworm (deploy/base-image.sh)
#   PODMAN            the podman command (default podman); CONTAINERS_CONF is honoured as podman does
#   PIP_CERT, PIP_CONFIG_FILE, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST
#                     as pip reads them on the host; the CA bundle and the configuration file (default
#                     /etc/pip.conf when present) are mounted into the build, the others passed on.
set -euo pipefail
# podman's helpers run in other folders: a relative CONTAINERS_CONF would be lost.
if [ -n "${CONTAINERS_CONF:-}" ]; then export CONTAINERS_CONF=$(readlink -f "$CONTAINERS_CONF"); fi
cd "$(dirname "$0")/.."
podman=${PODMAN:-podman}
ocrq_image=${OCRQ_IMAGE:-localhost/ocrq:latest}
redis_image=${OCRQ_REDIS_IMAGE:-localhost/ocrq-redis:latest}
base=${BASE:-$(deploy/base-image.sh | tail -1)}

# The host's trust and index settings, where pip in the build can read them. Not under /etc/ssl/certs:
# the image's ca-certificates package rewrites its own bundle there.
pip_args=()
cert=${PIP_CERT:-$( [ -f /etc/ssl/certs/ca-certificates.crt ] && echo /etc/ssl/certs/ca-certificates.crt || true)}
if [ -n "$cert" ]; then
  pip_args+=(--volume "$(readlink -f "$cert"):/run/ocrq-build/ca.crt:ro" --build-arg PIP_CERT=/run/ocrq-build/ca.crt)
fi
config=${PIP_CONFIG_FILE:-$( [ -f /etc/pip.conf ] && echo /etc/pip.conf || true)}
if [ -n "$config" ] && [ -f "$config" ]; then
  pip_args+=(--volume "$(readlink -f "$config"):/run/ocrq-build/pip.conf:ro" --build-arg PIP_CONFIG_FILE=/run/ocrq-build/pip.conf)
fi
for name in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST; do
  if [ -n "${!name:-}" ]; then pip_args+=(--build-arg "$name=${!name}"); fi
done

echo "building $ocrq_image and $redis_image on $base"
$podman build --layers --format docker --build-arg "BASE=$base" "${pip_args[@]}" -f deploy/Dockerfile -t "$ocrq_image" .
$podman build --layers --format docker --build-arg "BASE=$base" -f deploy/redis/Dockerfile -t "$redis_image" deploy/redis
echo "built $ocrq_image and $redis_image"
echo "run them: OCRQ_IMAGE=$ocrq_image OCRQ_REDIS_IMAGE=$redis_image docker-compose up -d   (with podman: README \"Production\")"
