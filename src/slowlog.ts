// SLOWLOG: commands slower than `slowlog-log-slower-than` microseconds are kept, newest
// first, up to `slowlog-max-len` entries, with Redis's argument trimming (at most 32
// arguments, each at most 128 bytes, with "... (N more arguments)" / "... (N more bytes)").

import type { Client } from "./client.ts";
import type { Config } from "./config.ts";

/** One slow log entry. */
export interface SlowlogEntry {
  id: number;
  time: number; // unix seconds
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

const MAX_ARGC = 32;
const MAX_STRING = 128;

/** The slow log. */
export class Slowlog {
  entries: SlowlogEntry[] = [];
  #nextId = 0;
  /** slowlog-log-slower-than, cached: read on every command. Negative disables. */
  threshold: number;
  constructor(readonly config: Config) {
    this.threshold = config.num("slowlog-log-slower-than");
  }

  /** Re-reads the thresholds after CONFIG SET. */
  reload(): void {
    this.threshold = this.config.num("slowlog-log-slower-than");
    const max = this.config.num("slowlog-max-len");
    if (this.entries.length > max) this.entries.length = max;
  }

  /** Records the command when it ran at least the configured threshold. */
  record(client: Client, argv: string[], usec: number): void {
    const threshold = this.threshold;
    if (threshold < 0 || usec < threshold) return;
    const max = this.config.num("slowlog-max-len");
    if (max === 0) return;
    const argc = Math.min(argv.length, MAX_ARGC);
    const args: string[] = [];
    for (let i = 0; i < argc; i++) {
      if (argc !== argv.length && i === argc - 1) {
        args.push(`... (${argv.length - argc + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(
        a.length > MAX_STRING
          ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)`
          : a,
      );
    }
    this.entries.unshift({
      id: this.#nextId++,
      time: Math.floor(Date.now() / 1000),
      usec: Math.floor(usec),
      argv: args,
      addr: client.addr,
      name: client.name,
    });
    if (this.entries.length > max) this.entries.length = max;
  }

  /** Drops every entry. */
  reset(): void {
    this.entries = [];
  }
}
