#!/usr/bin/env bash
# A Debian bookworm base image made without any image registry: `debootstrap --variant=minbase` from a
# Debian mirror, then `podman import`. The debootstrapped tree is kept as a tarball in a cache outside the
# checkout, so it is made once per machine (a few minutes) and imported in seconds after that.
#
# Usage: deploy/base-image.sh [IMAGE]        (as root; IMAGE defaults to localhost/ocrq-base:bookworm)
# Environment:
#   DEBIAN_MIRROR   the mirror to debootstrap from (default: the host's first apt source, else deb.debian.org)
#   OCRQ_CACHE_DIR  where the tarball is kept (default: $XDG_CACHE_HOME/ocrq, or /var/cache/ocrq for root)
#   PODMAN          the podman command (default: podman)
set -euo pipefail
image=${1:-localhost/ocrq-base:bookworm}
podman=${PODMAN:-podman}
if [ -n "${XDG_CACHE_HOME:-}" ]; then default_cache=$XDG_CACHE_HOME/ocrq
elif [ "$(id -u)" = 0 ]; then default_cache=/var/cache/ocrq
else default_cache=$HOME/.cache/ocrq; fi
cache=${OCRQ_CACHE_DIR:-$default_cache}
tarball=$cache/bookworm-minbase.tar

host_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i !~ /^\[/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
  [ "$(id -u)" = 0 ] || { echo "debootstrap needs root" >&2; exit 2; }
  mirror=${DEBIAN_MIRROR:-$(host_mirror)}
  mkdir -p "$cache"
  root=$(mktemp -d "$cache/root.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "debootstrap --variant=minbase bookworm from $mirror (once; kept in $tarball)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { echo "debootstrap failed; see $cache/debootstrap.log" >&2; exit 1; }
  # apt inside the image uses the host's sources (its mirrors, updates and security), as the host does.
  if [ -z "${DEBIAN_MIRROR:-}" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
    rm -f "$root/etc/apt/sources.list"
  fi
  # As in Debian's own images: no service starts while a package installs in a build (policy-rc.d), and
  # no manual pages or documentation beyond the copyrights.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' >"$root/etc/dpkg/dpkg.cfg.d/ocrq-slim"
  # What a container runtime provides at run time, and caches that only make the image bigger.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/dev/* "$root"/proc/* "$root"/sys/*
  : >"$root/etc/resolv.conf"; echo ocrq >"$root/etc/hostname"
  tar -C "$root" --numeric-owner -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
fi

# Imported again only when the tarball is newer than the image (podman keeps images across runs).
created=$($podman image inspect --format '{{.Labels.ocrq_base_tarball}}' "$image" 2>/dev/null || true)
stamp=$(stat -c %Y "$tarball")
if [ "$created" != "$stamp" ]; then
  $podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL ocrq_base_tarball=$stamp" \
    --change 'CMD ["/bin/bash"]' \
    "$tarball" "$image" >/dev/null
fi
echo "$image"
