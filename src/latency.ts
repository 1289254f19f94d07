// Latency bookkeeping (Redis latency.c): per-command HDR histograms for INFO latencystats and
// LATENCY HISTOGRAM (`latency-tracking`), and the event time series behind LATENCY LATEST /
// HISTORY / GRAPH / RESET (`latency-monitor-threshold`, in ms; 0 records nothing). The HDR
// arithmetic is hdr_histogram's with Redis's parameters (1 ns .. 1 s, 2 significant figures),
// so percentiles and bucket bounds come out as the same numbers Redis prints.

import type { Command } from "./commands/spec.ts";
import { type Config, parsePercentiles } from "./config.ts";

/** Redis's histogram range and precision (server.h LATENCY_HISTOGRAM_*). */
const HDR_MIN = 1;
const HDR_MAX = 1_000_000_000;
// With 2 significant figures: sub_bucket_count 256, half count 128, unit magnitude 0.
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 128;
const SUB_BUCKET_COUNT = 256;
const SUB_BUCKET_MASK = 255;
const BUCKET_COUNT = 23; // buckets needed to cover HDR_MAX
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

function bitLength(v: number): number {
  return v < 2 ** 31 ? 32 - Math.clz32(v) : Math.floor(Math.log2(v)) + 1;
}

function bucketOf(v: number): number {
  // hdr's `value | sub_bucket_mask`: the mask only matters below 256.
  return bitLength(v < SUB_BUCKET_COUNT ? SUB_BUCKET_MASK : v) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
}

function lowestEquivalent(v: number): number {
  const b = bucketOf(v);
  const sub = Math.floor(v / 2 ** b);
  return sub * 2 ** b;
}

function rangeSize(v: number): number {
  const b = bucketOf(v);
  const sub = Math.floor(v / 2 ** b);
  return 2 ** (sub >= SUB_BUCKET_COUNT ? b + 1 : b);
}

function highestEquivalent(v: number): number {
  return lowestEquivalent(v) + rangeSize(v) - 1;
}

function valueAtIndex(index: number): number {
  let b = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (b < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    b = 0;
  }
  return sub * 2 ** b;
}

/** A High Dynamic Range histogram of durations in nanoseconds, as Redis keeps per command. */
export class HdrHistogram {
  readonly counts = new Float64Array(COUNTS_LEN);
  totalCount = 0;

  /** Records one duration in ns, clamped to Redis's range. Runs after every command. */
  record(ns: number): void {
    const v = ns < HDR_MIN ? HDR_MIN : ns > HDR_MAX ? HDR_MAX : ns >>> 0;
    // hdr's counts_index with 32-bit arithmetic: every value fits, as HDR_MAX < 2^31.
    const b = 24 - Math.clz32(v | SUB_BUCKET_MASK);
    this.counts[((b + 1) << SUB_BUCKET_HALF_MAGNITUDE) + ((v >>> b) - SUB_BUCKET_HALF_COUNT)]++;
    this.totalCount++;
  }

  /** hdr_value_at_percentile: the highest value equivalent to the percentile's bucket. */
  valueAtPercentile(percentile: number): number {
    const p = percentile < 100 ? percentile : 100;
    let target = Math.floor((p / 100) * this.totalCount + 0.5);
    if (target < 1) target = 1;
    let acc = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      acc += this.counts[i];
      if (acc >= target) {
        const v = valueAtIndex(i);
        return percentile === 0 ? lowestEquivalent(v) : highestEquivalent(v);
      }
    }
    return 0;
  }

  /**
   * The cumulative distribution LATENCY HISTOGRAM replies: [usec, cumulative count] pairs at
   * power-of-two steps from 1024 ns (hdr_iter_log_init(h, 1024, 2) as Redis's fillCommandCDF
   * walks it), skipping steps that add nothing.
   */
  cdf(): [number, number][] {
    const out: [number, number][] = [];
    let index = -1;
    let value = 0;
    let cumulative = 0;
    let level = 1024;
    let levelLowest = lowestEquivalent(level);
    let previous = 0;
    for (;;) {
      const more = cumulative < this.totalCount || valueAtIndex(index + 1) > levelLowest;
      if (!more) break;
      let reported = false;
      for (;;) {
        if (value >= levelLowest) {
          level *= 2;
          levelLowest = lowestEquivalent(level);
          reported = true;
          break;
        }
        if (index + 1 >= COUNTS_LEN) break;
        index++;
        cumulative += this.counts[index];
        value = valueAtIndex(index);
      }
      if (!reported) break;
      if (cumulative > previous) {
        out.push([Math.floor(highestEquivalent(value) / 1000), cumulative]);
      }
      previous = cumulative;
    }
    return out;
  }
}

/** LATENCY_TS_LEN: samples kept per event. */
const TS_LEN = 160;

/** One monitored event's ring of per-second samples. */
export interface LatencySeries {
  idx: number;
  max: number;
  time: Int32Array;
  latency: Uint32Array;
}

/** The latency monitor's event series (LATENCY LATEST/HISTORY/GRAPH/RESET). */
export class LatencyMonitor {
  readonly events = new Map<string, LatencySeries>();
  /** latency-tracking, cached: read after every command. */
  tracking = true;
  /** latency-monitor-threshold in ms, cached; 0 records nothing. */
  threshold = 0;
  /** latency-tracking-info-percentiles. */
  percentiles: number[] = [50, 99, 99.9];

  /** Re-reads the latency-* directives. */
  reload(config: Config): void {
    this.tracking = config.bool("latency-tracking");
    this.threshold = config.num("latency-monitor-threshold");
    this.percentiles = parsePercentiles(config.get("latency-tracking-info-percentiles")) ?? [];
  }

  /** After each command: its histogram, and the `command` / `fast-command` event (call()). */
  commandDone(cmd: Command, usec: number): void {
    if (this.tracking) (cmd.histogram ??= new HdrHistogram()).record(usec * 1000);
    if (this.threshold > 0) {
      this.sample(cmd.flagSet.has("fast") ? "fast-command" : "command", usec / 1000);
    }
  }

  /** latencyAddSampleIfNeeded: records `ms` (truncated) when at or above the threshold. */
  sample(event: string, ms: number): void {
    if (this.threshold === 0) return;
    const v = Math.floor(ms);
    if (v >= this.threshold) this.add(event, v);
  }

  /** latencyAddSample: keeps the worst latency per second, and the all-time max. */
  add(event: string, ms: number, nowSec = Math.floor(Date.now() / 1000)): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = { idx: 0, max: 0, time: new Int32Array(TS_LEN), latency: new Uint32Array(TS_LEN) };
      this.events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = (ts.idx + TS_LEN - 1) % TS_LEN;
    if (ts.time[prev] === nowSec) {
      if (ms > ts.latency[prev]) ts.latency[prev] = ms;
      return;
    }
    ts.time[ts.idx] = nowSec;
    ts.latency[ts.idx] = ms;
    ts.idx = (ts.idx + 1) % TS_LEN;
  }

  /** Samples of a series, oldest first: [unix seconds, ms]. */
  samples(ts: LatencySeries): [number, number][] {
    const out: [number, number][] = [];
    for (let j = 0; j < TS_LEN; j++) {
      const i = (ts.idx + j) % TS_LEN;
      if (ts.time[i] === 0) continue;
      out.push([ts.time[i], ts.latency[i]]);
    }
    return out;
  }

  /** The newest sample of a series. */
  latest(ts: LatencySeries): [number, number] {
    const last = (ts.idx + TS_LEN - 1) % TS_LEN;
    return [ts.time[last], ts.latency[last]];
  }

  /** Drops the series named `event` (case-insensitive), or all; returns how many. */
  reset(event: string | null): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === null || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }

  /** LATENCY GRAPH: the ASCII sparkline Redis draws (latency.c + sparkline.c). */
  graph(event: string, ts: LatencySeries, nowSec = Math.floor(Date.now() / 1000)): string {
    const values: number[] = [];
    const labels: string[] = [];
    let min = 0;
    let max = 0;
    for (const [time, ms] of this.samples(ts)) {
      if (values.length === 0) min = max = ms;
      else {
        if (ms > max) max = ms;
        if (ms < min) min = ms;
      }
      const elapsed = nowSec - time;
      labels.push(
        elapsed < 60
          ? `${elapsed}s`
          : elapsed < 3600
          ? `${Math.trunc(elapsed / 60)}m`
          : elapsed < 86400
          ? `${Math.trunc(elapsed / 3600)}h`
          : `${Math.trunc(elapsed / 86400)}d`,
      );
      values.push(ms);
    }
    let out = `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n`;
    out += "-".repeat(80) + "\n";
    return out + sparkline(values, labels, 80, 4);
  }
}

// sparkline.c with SPARKLINE_FILL: rows of "_o#" plus '|' fill, then the labels vertically.
function sparkline(nums: number[], labels: string[], columns: number, rows: number): string {
  let min = 0;
  let max = 0;
  for (let i = 0; i < nums.length; i++) {
    if (i === 0) min = max = nums[i];
    else if (nums[i] < min) min = nums[i];
    else if (nums[i] > max) max = nums[i];
  }
  const fill = "_o#";
  let out = "";
  for (let j = 0; j < nums.length; j += columns) {
    const len = Math.min(columns, nums.length - j);
    if (j !== 0) out += "\n";
    let relmax = max - min;
    if (relmax === 0) relmax = 1;
    const steps = fill.length * rows;
    for (let row = 0;; row++) {
      let loop = false;
      const chars: string[] = new Array(len).fill(" ");
      for (let k = 0; k < len; k++) {
        const relval = nums[j + k] - min;
        let step = Math.trunc(Math.trunc(relval * steps) / relmax);
        if (step < 0) step = 0;
        if (step >= steps) step = steps - 1;
        if (row < rows) {
          const charidx = step - (rows - row - 1) * fill.length;
          loop = true;
          if (charidx >= 0 && charidx < fill.length) chars[k] = fill[charidx];
          else if (charidx >= fill.length) chars[k] = "|";
        } else {
          // One blank line between the graph and the labels.
          if (labels.length > 0 && row - rows < 1) {
            loop = true;
            break;
          }
          const label = labels[j + k];
          const labelChar = row - rows - 1;
          if (label.length > labelChar) {
            loop = true;
            chars[k] = label[labelChar];
          }
        }
      }
      if (!loop) break;
      out += chars.join("") + "\n";
    }
  }
  return out;
}
