#!/usr/bin/env bash
# Sourced by the CI steps of the JVM test servers: installs Java 17 and Maven from Debian 12 when missing.
missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
if ((${#missing[@]})); then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
java -version 2>&1 | head -1
