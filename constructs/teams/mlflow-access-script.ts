/**
 * The team's MLflow bootstrap, run by the Job of `teamMlflowAccess` with the MLflow image's Python (standard
 * library only). Idempotent; every input comes from the environment:
 *
 * 1. the team's Kubernetes Secret (TEAM_NAMESPACE/TEAM_SECRET_NAME, through the API with the pod's service account
 *    token): read it, or create it with a new random password (so the password exists only in the cluster, never
 *    in Terraform), keys MLFLOW_TRACKING_URI/USERNAME/PASSWORD for a pod's `envFrom`;
 * 2. the team's MLflow user (TEAM_USER), created with that password, or its password set to it when the user
 *    exists (the Secret is the source of truth);
 * 3. MANAGE for that user on every experiment named EXPERIMENT_PREFIX… and every registered model named
 *    MODEL_PREFIX… that exists now. MLflow grants per experiment/model, not per prefix: what the team's user
 *    creates later it manages already (MLflow gives the creator MANAGE); the Job picks up what others created
 *    under the prefix when it runs again.
 *
 * MLflow 3.15's API: users/create, users/get, users/update-password (2.0) and users/permissions/grant|revoke (3.0).
 * The admin's credentials (MLFLOW_ADMIN_USERNAME/PASSWORD) stay in MLflow's namespace, where the Job runs.
 */
// biome-ignore lint/complexity/noUselessStringRaw: kept raw so a later Python escape (\n in a literal) reaches the Job unchanged
export const MLFLOW_TEAM_SCRIPT = String.raw`import base64
import json
import os
import secrets
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ENV = os.environ
TRACKING = ENV["MLFLOW_TRACKING_URI"].rstrip("/")
ADMIN = (ENV["MLFLOW_ADMIN_USERNAME"], ENV["MLFLOW_ADMIN_PASSWORD"])
USER = ENV["TEAM_USER"]
EXPERIMENT_PREFIX = ENV["EXPERIMENT_PREFIX"]
MODEL_PREFIX = ENV["MODEL_PREFIX"]
NAMESPACE = ENV["TEAM_NAMESPACE"]
SECRET = ENV["TEAM_SECRET_NAME"]
# The kubelet's in-cluster API address and the pod's projected service account token.
API = "https://%s:%s" % (ENV["KUBERNETES_SERVICE_HOST"], ENV["KUBERNETES_SERVICE_PORT"])
SA_DIR = ENV.get("SERVICEACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")


class HttpError(Exception):
    def __init__(self, method, url, status, body):
        super().__init__("%s %s: HTTP %s %s" % (method, url, status, body[:500]))
        self.status = status
        self.body = body


def call(method, url, body=None, headers=None, context=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as res:
            text = res.read().decode()
            return json.loads(text) if text else {}
    except urllib.error.HTTPError as e:
        raise HttpError(method, url, e.code, e.read().decode(errors="replace")) from None


def mlflow(method, path, body=None, query=None, auth=ADMIN):
    url = TRACKING + path + ("?" + urllib.parse.urlencode(query) if query else "")
    token = base64.b64encode(("%s:%s" % auth).encode()).decode()
    # The servers may still be starting (first install): retry what is not an answer from MLflow.
    for attempt in range(30):
        try:
            return call(method, url, body, {"Authorization": "Basic " + token})
        except HttpError as e:
            if e.status not in (502, 503, 504):
                raise
        except urllib.error.URLError:
            pass
        time.sleep(min(2 + attempt, 10))
    raise SystemExit("MLflow at %s did not answer" % TRACKING)


def kube(method, path, body=None):
    with open(os.path.join(SA_DIR, "token")) as f:
        token = f.read().strip()
    context = ssl.create_default_context(cafile=os.path.join(SA_DIR, "ca.crt"))
    return call(method, API + path, body, {"Authorization": "Bearer " + token}, context)


def team_password():
    """The password in the team's Secret; a new one, written there first, when the Secret does not exist."""
    path = "/api/v1/namespaces/%s/secrets" % NAMESPACE
    try:
        found = kube("GET", "%s/%s" % (path, SECRET))
        return base64.b64decode(found["data"]["MLFLOW_TRACKING_PASSWORD"]).decode()
    except HttpError as e:
        if e.status != 404:
            raise
    password = secrets.token_hex(24)
    data = {"MLFLOW_TRACKING_URI": TRACKING, "MLFLOW_TRACKING_USERNAME": USER, "MLFLOW_TRACKING_PASSWORD": password}
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": SECRET,
            "namespace": NAMESPACE,
            "labels": {"app.kubernetes.io/managed-by": "mlflow-team-bootstrap"},
        },
        "type": "Opaque",
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }
    try:
        kube("POST", path, body)
    except HttpError as e:
        if e.status != 409:
            raise
        return team_password()  # another run created it meanwhile: use that one
    print("created Secret %s/%s" % (NAMESPACE, SECRET))
    return password


def ensure_user(password):
    try:
        mlflow("GET", "/api/2.0/mlflow/users/get", query={"username": USER})
    except HttpError as e:
        if e.status != 404:
            raise
        mlflow("POST", "/api/2.0/mlflow/users/create", {"username": USER, "password": password})
        print("created MLflow user %s" % USER)
        return
    mlflow("PATCH", "/api/2.0/mlflow/users/update-password", {"username": USER, "password": password})


def grant_manage(resource_type, resource_id):
    grant = {"username": USER, "resource_type": resource_type, "resource_id": resource_id, "permission": "MANAGE"}
    try:
        mlflow("POST", "/api/3.0/mlflow/users/permissions/grant", grant)
    except HttpError as e:
        if "RESOURCE_ALREADY_EXISTS" not in e.body:
            raise
        # A grant exists, perhaps weaker: replace it.
        ref = {k: grant[k] for k in ("username", "resource_type", "resource_id")}
        mlflow("POST", "/api/3.0/mlflow/users/permissions/revoke", ref)
        mlflow("POST", "/api/3.0/mlflow/users/permissions/grant", grant)


def paged(path, key, filter_string):
    token = None
    while True:
        query = {"filter": filter_string, "max_results": 100}
        if token:
            query["page_token"] = token
        page = mlflow("GET", path, query=query)
        yield from page.get(key, [])
        token = page.get("next_page_token")
        if not token:
            return


def like(prefix):
    # Team names are DNS labels, so the prefixes hold no LIKE wildcards ('%', '_') and no quotes.
    return "name LIKE '%s%%'" % prefix


def main():
    password = team_password()
    ensure_user(password)
    experiments = [
        e["experiment_id"] for e in paged("/api/2.0/mlflow/experiments/search", "experiments", like(EXPERIMENT_PREFIX))
    ]
    models = [
        m["name"] for m in paged("/api/2.0/mlflow/registered-models/search", "registered_models", like(MODEL_PREFIX))
    ]
    for experiment_id in experiments:
        grant_manage("experiment", experiment_id)
    for name in models:
        grant_manage("registered_model", name)
    # The team's credentials work: fail the Job, not the team's first run, when they do not.
    mlflow("GET", "/api/2.0/mlflow/experiments/search", query={"max_results": 1}, auth=(USER, password))
    print("%s: MANAGE on %d experiment(s) under %r and %d model(s) under %r" % (
        USER, len(experiments), EXPERIMENT_PREFIX, len(models), MODEL_PREFIX))


if __name__ == "__main__":
    try:
        main()
    except HttpError as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)
`;
