// A real npm library built on server-side Lua: a BullMQ queue and worker (its scripts use
// EVALSHA, cmsgpack, cjson, multi-key writes and blocking moves) run against our server. Jobs
// complete, a failing job is retried, a delayed job waits, and the counts add up.

import assert from "node:assert/strict";
import { type Job, Queue, QueueEvents, Worker } from "bullmq";
import { startServer } from "../helpers/server.ts";
import { waitFor } from "../helpers/server.ts";

const JOBS = 40;

Deno.test({
  name: "BullMQ queue and worker run on our server",
  // ioredis and BullMQ keep timers and sockets that close asynchronously after close().
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const s = await startServer();
    const connection = { host: "127.0.0.1", port: s.port, maxRetriesPerRequest: null };
    const queue = new Queue("jobs", { connection });
    const events = new QueueEvents("jobs", { connection });
    const results = new Map<string, number>();
    const attempts = new Map<string, number>();
    const worker = new Worker(
      "jobs",
      (job: Job) => {
        attempts.set(job.name, (attempts.get(job.name) ?? 0) + 1);
        // The "flaky" job fails on its first attempt and is retried by BullMQ.
        if (job.name === "flaky" && job.attemptsMade === 0) throw new Error("first try fails");
        return Promise.resolve(job.data.n * 2);
      },
      { connection, concurrency: 4 },
    );
    worker.on("completed", (job: Job, r: number) => results.set(job.name, r));
    try {
      await events.waitUntilReady();
      for (let i = 0; i < JOBS; i++) await queue.add(`job${i}`, { n: i });
      await queue.add("flaky", { n: 100 }, { attempts: 3 });
      const delayedAt = Date.now();
      await queue.add("delayed", { n: 7 }, { delay: 300 });
      await queue.add("urgent", { n: 1 }, { priority: 1 });

      await waitFor(() => results.size === JOBS + 3, 30000, "every job to complete");
      for (let i = 0; i < JOBS; i++) assert.equal(results.get(`job${i}`), i * 2);
      assert.equal(results.get("flaky"), 200);
      assert.equal(attempts.get("flaky"), 2);
      assert.equal(results.get("delayed"), 14);
      assert.ok(Date.now() - delayedAt >= 300, "the delayed job ran early");

      const counts = await queue.getJobCounts("completed", "failed", "waiting", "active");
      assert.deepEqual(counts, {
        completed: JOBS + 3,
        failed: 0,
        waiting: 0,
        paused: 0,
        active: 0,
      });
      const done = await queue.getJobs(["completed"], 0, -1);
      assert.equal(done.length, JOBS + 3);
      const flaky = done.find((j) => j.name === "flaky")!;
      assert.equal(flaky.returnvalue, 200);
      assert.equal(flaky.attemptsMade, 2);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await s.close();
    }
  },
});
