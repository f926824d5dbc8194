#!/usr/bin/env bash
# Installs LuaJIT (Debian 12 package), the Lua that Fluent Bit embeds, for the log collector's Lua filter test
# (test/constructs/addons/logging/collector/ecs-record.test.ts). Exports LUAJIT_BIN via $CI_ENV_FILE.
set -euo pipefail
# shellcheck source=../lib/apt.sh
. "$(dirname "$0")/../lib/apt.sh"

apt_install_pinned luajit "2.1.0~beta3+git20220320+dfsg-4.1+deb12u1" luajit
command -v luajit >/dev/null || { echo "luajit binary missing after install" >&2; exit 1; }
luajit -v

if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "LUAJIT_BIN=$(command -v luajit)" >>"$CI_ENV_FILE"
fi
