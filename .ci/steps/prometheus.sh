#!/usr/bin/env bash
# Installs Prometheus and promtool (Debian 12 package) for the service's Prometheus scrape test.
# The test runs the binary directly on loopback with a temp config; the packaged systemd unit is not used.
set -euo pipefail

PROMETHEUS_VERSION="2.42.0+ds-5+deb12u1"

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 \
  && [ "$(dpkg-query -W -f='${Version}' prometheus 2>/dev/null || true)" = "$PROMETHEUS_VERSION" ]; then
  echo "prometheus ${PROMETHEUS_VERSION} already installed"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # policy-rc.d keeps the package from starting its own service during install (no systemd in CI containers).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -q --no-install-recommends "prometheus=${PROMETHEUS_VERSION}"
fi

# A package postinst may have started a daemon on :9090 on machines with an init system; the test never uses it.
prometheus --version 2>&1 | head -1
promtool --version 2>&1 | head -1

if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "PROMETHEUS_BIN=$(command -v prometheus)" >>"$CI_ENV_FILE"
  echo "PROMTOOL_BIN=$(command -v promtool)" >>"$CI_ENV_FILE"
fi
