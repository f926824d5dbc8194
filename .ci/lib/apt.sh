#!/usr/bin/env bash
# Sourced by .ci/steps/*.sh: installs a Debian package at a pinned version unless it is already there.
# The package's own daemon is never started (tests run the binaries directly on loopback).

# apt_install_pinned PACKAGE VERSION COMMAND: COMMAND is a binary the package provides, checked to be on PATH.
apt_install_pinned() {
  local package="$1" version="$2" command="$3"
  if command -v "$command" >/dev/null 2>&1 \
    && [ "$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || true)" = "$version" ]; then
    echo "${package} ${version} already installed"
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # policy-rc.d keeps the package from starting its own service during install (no systemd in CI containers).
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local status=0
  apt-get install -y -q --no-install-recommends "${package}=${version}" || status=$?
  [ "$made_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  return "$status"
}
