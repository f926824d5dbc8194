/**
 * The Lua filter that shapes a container log record for the log backend (constructs/addons/logging/backend):
 * Fluent Bit's tail input with the `cri` parser gives `{ log, stream, _p }` and its kubernetes filter adds
 * `kubernetes: { namespace_name, pod_name, … }`; the backend's index template maps ECS fields and its ingest
 * pipeline parses the line found in `message`. So the line moves to `message` untouched, and the metadata to
 * `kubernetes.namespace`, `kubernetes.pod.name`, `kubernetes.node.name`, `container.image.name`…
 *
 * Label keys get '.' replaced by '_' (as Filebeat does): `app` and `app.kubernetes.io/name` would otherwise map
 * `kubernetes.labels.app` as a keyword on one pod and as an object on another, and the engine rejects the
 * second document. Annotations are not collected at all (the filter's `Annotations Off`).
 *
 * Fluent Bit runs it in LuaJIT (Lua 5.1); the tests run it in Debian's luajit. Callback contract: return
 * 2 (record replaced, timestamp kept) with the new record, or 0 to keep a record without a `log` key as it is.
 */
export const ECS_RECORD_FUNCTION = "ecs_record";
export const ECS_RECORD_SCRIPT = "ecs_record.lua";

export const ECS_RECORD_LUA = `-- ${ECS_RECORD_SCRIPT}: container log record -> the fields the log backend maps (see ecs-record.ts).
-- Fluent Bit turns an empty table into an empty array, which would clash with the object mapping: none is kept.
local function object(t)
  if next(t) == nil then return nil end
  return t
end

local function dedot(map)
  if type(map) ~= "table" then return nil end
  local out = {}
  for key, value in pairs(map) do out[(string.gsub(key, "%.", "_"))] = value end
  return object(out)
end

function ${ECS_RECORD_FUNCTION}(tag, timestamp, record)
  local line = record["log"]
  if line == nil then return 0, timestamp, record end
  local out = { message = line, stream = record["stream"] }
  local k = record["kubernetes"]
  if type(k) == "table" then
    out["kubernetes"] = object({
      namespace = k["namespace_name"],
      pod = object({ name = k["pod_name"], uid = k["pod_id"] }),
      container = object({ name = k["container_name"] }),
      node = object({ name = k["host"] }),
      labels = dedot(k["labels"]),
    })
    out["container"] = object({ id = k["docker_id"], image = object({ name = k["container_image"] }) })
  end
  return 2, timestamp, out
end
`;
