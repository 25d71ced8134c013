#!/usr/bin/env bash
# Installs promtool (Debian's `prometheus` package) once; a no-op when it is already on PATH.
# Needs root (apt-get). `make setup` and the ops tests call it; nothing else is installed system-wide.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "promtool is missing: run 'sudo apt-get install --no-install-recommends prometheus' (Debian/Ubuntu)." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Only promtool is wanted: keep the package's Prometheus server from being started by the install
# (a policy-rc.d that refuses service starts), unless the machine already has a policy of its own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v promtool >/dev/null
