import { readFileSync, writeFileSync } from "node:fs";
import { configReferenceMarkdown, REFERENCE_END, REFERENCE_START } from "../config/reference";

// Rewrites the README's configuration reference between its markers.
const readme = readFileSync("README.md", "utf8");
const start = readme.indexOf(REFERENCE_START);
const end = readme.indexOf(REFERENCE_END);
if (start < 0 || end < start) {
  process.stderr.write(`README.md: markers not found:\n${REFERENCE_START}\n${REFERENCE_END}\n`);
  process.exit(1);
}
const next = `${readme.slice(0, start + REFERENCE_START.length)}\n${configReferenceMarkdown()}\n${readme.slice(end)}`;
writeFileSync("README.md", next);
process.stdout.write("README.md configuration reference updated\n");
