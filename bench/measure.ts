import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

// Runs one app module in this process and, at exit, records its peak resident memory and CPU time for
// bench/synth.ts (CPU time: user + system, steadier than wall time on a shared machine).
const [target, report] = process.argv.slice(2);
if (!target || !report) {
  process.stderr.write("usage: tsx bench/measure.ts <app.ts> <report.json>\n");
  process.exit(2);
}
process.on("exit", (code) => {
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  writeFileSync(report, JSON.stringify({ code, maxRssKiB: usage.maxRSS, cpuMs }));
});
await import(pathToFileURL(resolve(target)).href);
