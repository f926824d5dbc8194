#!/usr/bin/env bash
# Installs Alertmanager and amtool (Debian 12 package) for the monitoring add-on's `amtool check-config` test.
# Only amtool is used, on a temp file; the packaged daemon is never started.
set -euo pipefail

ALERTMANAGER_VERSION="0.25.0-1+b4"

if command -v amtool >/dev/null 2>&1 \
  && [ "$(dpkg-query -W -f='${Version}' prometheus-alertmanager 2>/dev/null || true)" = "$ALERTMANAGER_VERSION" ]; then
  echo "prometheus-alertmanager ${ALERTMANAGER_VERSION} already installed"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # policy-rc.d keeps the package from starting its own service during install (no systemd in CI containers).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -q --no-install-recommends "prometheus-alertmanager=${ALERTMANAGER_VERSION}"
fi

amtool --version 2>&1 | head -1

if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "AMTOOL_BIN=$(command -v amtool)" >>"$CI_ENV_FILE"
fi
