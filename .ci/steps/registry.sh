#!/usr/bin/env bash
# Installs what the database/MLflow add-on tests start on loopback:
# - the real MLflow server the chart deploys, with the basic-auth extra and psycopg2
#   (test/constructs/addons/mlflow/server.test.ts, test/constructs/teams/mlflow-access.test.ts: two servers on
#   one PostgreSQL), in its own venv with pinned versions (reused when the pins match);
# - PostgreSQL 15 from Debian 12 (server + psql) for the bootstrap SQL (test/constructs/database/
#   postgres-app-user-sql.test.ts) and MLflow's backend and auth stores. Pinned to the major version:
#   Debian's security updates replace the exact package version in the archive, so an exact pin would stop
#   installing.
# Idempotent. Exports REGISTRY_MLFLOW_BIN and POSTGRES_BIN_DIR.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="${repo_root}/test/constructs/addons/mlflow/server-requirements.txt"
venv="${REGISTRY_MLFLOW_VENV:-/opt/mlops-kit/registry-mlflow-venv}"
# shellcheck source=../lib/venv.sh
source "${repo_root}/.ci/lib/venv.sh"

pg_bin=/usr/lib/postgresql/15/bin
need_apt=()
[[ -x "${pg_bin}/initdb" && -x "${pg_bin}/psql" ]] || need_apt+=(postgresql-15 postgresql-client-15)
if ((${#need_apt[@]} > 0)); then
  apt-get update
  # policy-rc.d: install the binaries without starting Debian's own cluster service.
  own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}"
  if ((own_policy)); then rm -f /usr/sbin/policy-rc.d; fi
fi
"${pg_bin}/postgres" --version

venv_from_requirements "${venv}" "${requirements}" mlflow

"${venv}/bin/mlflow" --version
"${venv}/bin/python" -c "import flask_wtf; print('flask-wtf', flask_wtf.__version__)"

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "REGISTRY_MLFLOW_BIN=${venv}/bin/mlflow" >>"${CI_ENV_FILE}"
  echo "POSTGRES_BIN_DIR=${pg_bin}" >>"${CI_ENV_FILE}"
fi
