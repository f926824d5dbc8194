#!/usr/bin/env bash
# Installs Prometheus and promtool (Debian 12 package) for the service's Prometheus scrape test.
# The test runs the binary directly on loopback with a temp config; the packaged systemd unit is not used.
set -euo pipefail
# shellcheck source=../lib/apt.sh
. "$(dirname "$0")/../lib/apt.sh"

apt_install_pinned prometheus "2.42.0+ds-5+deb12u1" promtool
command -v prometheus >/dev/null || { echo "prometheus binary missing after install" >&2; exit 1; }

# A package postinst may have started a daemon on :9090 on machines with an init system; the test never uses it.
prometheus --version 2>&1 | head -1
promtool --version 2>&1 | head -1

if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "PROMETHEUS_BIN=$(command -v prometheus)" >>"$CI_ENV_FILE"
  echo "PROMTOOL_BIN=$(command -v promtool)" >>"$CI_ENV_FILE"
fi
