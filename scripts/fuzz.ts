// Long fuzz runs for manual use: the fuzzers of the test suite (tests/helpers/fuzz.ts) with more
// time. `deno run -A scripts/fuzz.ts --seconds 600 --seed 7 [--only resp,restore,rdb,args]
// [--connections 8]`: the time is shared between the chosen fuzzers; failures are printed with
// what reproduces them (seed, payload, saved RDB file) and the exit code is 1.

import { parseArgs } from "node:util";
import { log } from "../src/log.ts";
import { Harness } from "../tests/helpers/harness.ts";
import {
  argFuzz,
  captureInternalErrors,
  FUZZ_ACL,
  ourDumpPayloads,
  rdbFileFuzz,
  redisDumpPayloads,
  respFuzz,
  restoreFuzz,
} from "../tests/helpers/fuzz.ts";
import { datasetCommands } from "../tests/fixtures/dataset.ts";
import { startRedis, startServer } from "../tests/helpers/server.ts";
import { RespClient } from "../tests/helpers/resp_client.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "60" },
    seed: { type: "string", default: String(Date.now() % 1000000) },
    only: { type: "string", default: "resp,restore,rdb,args" },
    connections: { type: "string", default: "8" },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const only = values.only!.split(",");
const share = seconds / only.length;
console.log(
  `fuzz: seed ${seed}, ${seconds} s over ${only.join(", ")} (replay with --seed ${seed})`,
);

let failed = false;
function report(name: string, summary: string, failures: string[]): void {
  console.log(`${name}: ${summary}: ${failures.length === 0 ? "clean" : "FAILURES"}`);
  for (const f of failures) console.log(`  ${f}`);
  if (failures.length > 0) failed = true;
}

if (only.includes("resp")) {
  const s = await startServer(["--loglevel", "warning"]);
  try {
    const admin = await RespClient.connect(s.port);
    for (const argv of FUZZ_ACL) await admin.call(...argv);
    admin.close();
    const { result, errors } = await captureInternalErrors(() =>
      respFuzz(s.port, {
        seed,
        seconds: share,
        connections: Number(values.connections),
        controlAuth: ["ctl", "ctlpass"],
      })
    );
    report(
      "resp",
      `${result.frames} frames, ${result.connections} connections, ${result.controlOps} control ops`,
      [...result.failures, ...errors],
    );
  } finally {
    await s.close();
  }
}

if (only.includes("restore")) {
  const h = new Harness(["--loglevel", "warning"]);
  try {
    const corpus = ourDumpPayloads(h);
    const redis = await startRedis();
    if (redis !== null) {
      try {
        corpus.push(...await redisDumpPayloads(redis.port));
      } finally {
        await redis.close();
      }
    }
    const { result, errors } = await captureInternalErrors(() =>
      Promise.resolve(restoreFuzz(h, corpus, { seed, seconds: share }))
    );
    report(
      "restore",
      `${corpus.length} payloads, ${result.restores} restores, ${result.accepted} accepted`,
      [...result.failures, ...errors],
    );
  } finally {
    await h.close();
  }
}

if (only.includes("rdb")) {
  const dir = await Deno.makeTempDir({ prefix: "rdb-fuzz-" });
  const h = new Harness(["--dir", dir, "--loglevel", "warning"]);
  try {
    const corpus = [
      await Deno.readFile(new URL("../tests/fixtures/redis7_dataset.rdb.bin", import.meta.url)),
    ];
    for (const argv of datasetCommands()) h.raw(argv);
    h.raw(["SAVE"]);
    corpus.push(await Deno.readFile(`${dir}/dump.rdb`));
    const { result, errors } = await captureInternalErrors(() =>
      rdbFileFuzz(h, corpus, dir, { seed, seconds: share })
    );
    report("rdb", `${result.loads} loads, ${result.loaded} loaded`, [
      ...result.failures,
      ...errors,
    ]);
  } finally {
    await h.close();
    // Failing inputs are kept for replay.
    if (!failed) await Deno.remove(dir, { recursive: true });
    else console.log(`rdb: inputs kept in ${dir}`);
  }
}

if (only.includes("args")) {
  const h = new Harness(["--loglevel", "warning"]);
  try {
    const { result, errors } = await captureInternalErrors(() =>
      Promise.resolve(argFuzz(h, { seed, seconds: share }))
    );
    report(
      "args",
      `${result.calls} calls, slowest ${result.slowest.ms.toFixed(1)} ms ${
        JSON.stringify(result.slowest.argv)
      }`,
      [...result.failures, ...errors],
    );
  } finally {
    await h.close();
  }
}

log.close();
Deno.exit(failed ? 1 : 0);
