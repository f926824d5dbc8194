import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

// Runs one app module in this process and, at exit, records its peak resident memory for bench/synth.ts.
const [target, report] = process.argv.slice(2);
if (!target || !report) {
  process.stderr.write("usage: tsx bench/measure.ts <app.ts> <report.json>\n");
  process.exit(2);
}
process.on("exit", (code) => {
  writeFileSync(report, JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS }));
});
await import(pathToFileURL(resolve(target)).href);
