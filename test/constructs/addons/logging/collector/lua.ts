import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** LuaJIT, the Lua Fluent Bit embeds (Debian's `luajit`, installed by .ci/steps/luajit.sh). */
export const LUAJIT = process.env.LUAJIT_BIN ?? "luajit";

/** Why the Lua filter cannot be run here, or undefined when luajit answers. */
export function luajitUnavailableReason(): string | undefined {
  const r = spawnSync(LUAJIT, ["-v"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `no working ${LUAJIT} (${r.error?.message ?? r.stderr.trim()})`;
}

/** A JavaScript value as a Lua literal (strings through JSON, whose escapes Lua reads, `\u00XX` made decimal). */
export function toLua(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string")
    return JSON.stringify(value).replace(
      /\\u00([0-9a-f]{2})/gi,
      (_, hex: string) => `\\${parseInt(hex, 16)}`,
    );
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{ ${value.map(toLua).join(", ")} }`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `[${toLua(k)}] = ${toLua(v)}`,
  );
  return `{ ${entries.join(", ")} }`;
}

/** Loads the filter, calls `fn(tag, timestamp, record)` on each record and prints `{code, record}` as JSON. */
const RUNNER = `
local script, inputs, fn = arg[1], arg[2], arg[3]
dofile(script)
local function encode(v)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" or t == "number" then return tostring(v) end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\\\]', function(c) return string.format("\\\\u%04x", c:byte()) end) .. '"'
  end
  local parts = {}
  if #v > 0 then
    for _, x in ipairs(v) do parts[#parts + 1] = encode(x) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  for k, x in pairs(v) do parts[#parts + 1] = encode(tostring(k)) .. ":" .. encode(x) end
  return "{" .. table.concat(parts, ",") .. "}"
end
for _, input in ipairs(dofile(inputs)) do
  local code, ts, record = _G[fn]("kube.var.log.containers.x.log", 1764669600.5, input)
  io.write(encode({ code = code, ts = ts, record = record }), "\\n")
end
`;

export interface LuaFilterResult {
  readonly code: number;
  readonly ts: number;
  readonly record: Record<string, unknown>;
}

/** Runs a Fluent Bit Lua filter over records in LuaJIT, as Fluent Bit calls it. */
export function runLuaFilter(script: string, fn: string, records: readonly object[]): LuaFilterResult[] {
  const dir = mkdtempSync(join(tmpdir(), "mlops-lua-"));
  try {
    writeFileSync(join(dir, "filter.lua"), script);
    writeFileSync(join(dir, "inputs.lua"), `return ${toLua(records)}\n`);
    writeFileSync(join(dir, "runner.lua"), RUNNER);
    const r = spawnSync(
      LUAJIT,
      [join(dir, "runner.lua"), join(dir, "filter.lua"), join(dir, "inputs.lua"), fn],
      {
        encoding: "utf8",
      },
    );
    if (r.status !== 0) throw new Error(`luajit failed (${r.status}): ${r.stderr}`);
    return r.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LuaFilterResult);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
