#!/usr/bin/env bash
# Installs Alertmanager and amtool (Debian 12 package) for the monitoring add-on's `amtool check-config` test.
# Only amtool is used, on a temp file; the packaged daemon is never started.
set -euo pipefail
# shellcheck source=../lib/apt.sh
. "$(dirname "$0")/../lib/apt.sh"

apt_install_pinned prometheus-alertmanager "0.25.0-1+b4" amtool
amtool --version 2>&1 | head -1

if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "AMTOOL_BIN=$(command -v amtool)" >>"$CI_ENV_FILE"
fi
