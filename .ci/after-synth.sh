#!/usr/bin/env bash
# Runs after `npx cdktf synth` in .ci/run: synthesizes the default configuration and every example in
# examples/configs/ (and examples/<name>/config.yaml) into temp dirs (the app's rule pack runs in each synthesis) and runs checkov over every stack
# with the skip list in .ci/checkov/skips.yaml, then the credentials scan (.ci/checkov/credentials.mjs) over the same
# stacks and service/, pipelines/, .github/. Exits non-zero on any synthesis failure, unskipped checkov failure or
# credentials finding.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
CHECKOV_BIN="${CHECKOV_BIN:-checkov}"
export CHECKOV_BIN
if ! command -v "$CHECKOV_BIN" >/dev/null 2>&1; then
  echo "after-synth: checkov not found (CHECKOV_BIN=$CHECKOV_BIN); run .ci/steps/checkov.sh first" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
targets=()

synth() { # <label> [config file]
  local label="$1" config="${2:-}" out="$work/$1"
  echo "after-synth: synthesizing $label${config:+ ($config)}"
  if [ -n "$config" ]; then
    MLOPS_CONFIG="$config" CDKTF_OUTDIR="$out" npx tsx main.ts >"$work/$label.log" 2>&1 || {
      cat "$work/$label.log" >&2
      echo "after-synth: synthesis of $label failed" >&2
      exit 1
    }
  else
    (unset MLOPS_CONFIG; CDKTF_OUTDIR="$out" npx tsx main.ts) >"$work/$label.log" 2>&1 || {
      cat "$work/$label.log" >&2
      echo "after-synth: synthesis of $label failed" >&2
      exit 1
    }
  fi
  grep -E '^Policy:|^  (suppressed|warning) ' "$work/$label.log" | sed "s/^/  [$label] /" || true
  targets+=("$label=$out")
}

synth default
for f in examples/configs/*.yaml examples/configs/*.yml examples/configs/*.json; do
  [ -e "$f" ] || continue
  name="$(basename "$f")"
  synth "${name%.*}" "$f"
done
# An example folder with its own configuration (examples/byo-cluster/config.yaml) is labelled by the folder.
for f in examples/*/config.yaml examples/*/config.yml examples/*/config.json; do
  [ -e "$f" ] || continue
  synth "$(basename "$(dirname "$f")")" "$f"
done

status=0
node .ci/checkov/scan.mjs "${targets[@]}" || status=$?
# Credentials scan: the same stacks plus the sources that ship (test/ is not scanned: its fixtures plant keys on
# purpose to prove the detectors fire).
node .ci/checkov/credentials.mjs "${targets[@]}" --sources service pipelines .github || status=$?
exit "$status"
