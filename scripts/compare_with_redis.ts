// Developer tool: runs the differential corpus (tests/differential/*.redis) against a real
// redis-server and our server and prints every mismatch, not just the first per file.
//
//   deno run -A scripts/compare_with_redis.ts [--verbose] [--self] [file-or-name ...]
//
// --verbose prints every line with Redis's reply. --self compares two real Redis servers, to check that the corpus itself is deterministic.
// Exits 1 when anything differs.

import {
  corpusFiles,
  escape,
  formatMismatch,
  haveRedis,
  type Mismatch,
  runFile,
  startPair,
} from "../tests/differential/runner.ts";

async function main(args: string[]): Promise<number> {
  const verbose = args.includes("--verbose");
  const self = args.includes("--self");
  const wanted = args.filter((a) => !a.startsWith("--"));
  if (!haveRedis()) {
    console.log("SKIPPED: compare_with_redis: redis-server is not installed");
    return 0;
  }
  const all = corpusFiles();
  const files = wanted.length === 0
    ? all
    : all.filter((f) => wanted.some((w) => f.endsWith(w) || f.endsWith(`${w}.redis`)));
  if (files.length === 0) {
    console.error(`No corpus file matches: ${wanted.join(" ")}`);
    return 2;
  }
  let total = 0;
  let steps = 0;
  for (const file of files) {
    const mismatches: Mismatch[] = await runFile(file, () => startPair(self), {
      onStep: (step, redis, ours, same) => {
        steps++;
        if (verbose) {
          const tail = same ? ` -> ${escape(redis)}` : "";
          console.log(`${same ? "ok  " : "DIFF"} ${step.file}:${step.line}: ${step.text}${tail}`);
          if (!same) console.log(`       redis: ${escape(redis)}\n       ours:  ${escape(ours)}`);
        }
      },
    });
    total += mismatches.length;
    if (!verbose) { for (const m of mismatches) console.log(formatMismatch(m)); }
    const name = file.slice(file.lastIndexOf("/") + 1);
    console.log(`== ${name}: ${mismatches.length} mismatch(es)`);
  }
  console.log(`${steps} lines run, ${total} mismatch(es)`);
  return total === 0 ? 0 : 1;
}

Deno.exit(await main(Deno.args));
