// Fan-out of writes to the propagation sinks (AOF, replica links, tests). Commands of one
// execution unit (a command, or an EXEC) are collected and, when there is more than one,
// wrapped in MULTI/EXEC, as Redis 7.0's propagatePendingCommands does. Each sink tracks the
// database its stream has selected and emits SELECT when a command targets another one.
// Some commands go to replica links only (PUBLISH: Redis 7.0 forces it into the replication
// stream but not the AOF); sinks that declare `replication` receive those too.

import { encodeCommand } from "../resp/encoder.ts";

/** A consumer of the write stream. */
export interface PropagationSink {
  /** Receives one command for database `dbId`. */
  feed(dbId: number, argv: string[]): void;
  /** True for the replication stream: it also receives replica-only commands. */
  readonly replication?: boolean;
}

/**
 * A sink that turns commands into RESP text with SELECT inserted on db changes.
 * Subclasses implement `write` (append to a file, a backlog, a socket).
 */
export abstract class StreamSink implements PropagationSink {
  /** The db the stream last selected; -1 forces a SELECT before the next command. */
  selectedDb = -1;

  feed(dbId: number, argv: string[]): void {
    if (dbId !== this.selectedDb) {
      this.write(encodeCommand(["SELECT", String(dbId)]));
      this.selectedDb = dbId;
    }
    this.write(encodeCommand(argv));
  }

  /** Appends RESP bytes (as a byte string) to the stream. */
  abstract write(resp: string): void;
}

/** A sink that records commands (with SELECTs) as argv arrays, for tests and tools. */
export class RecordingSink extends StreamSink {
  readonly commands: string[][] = [];
  override feed(dbId: number, argv: string[]): void {
    if (dbId !== this.selectedDb) {
      this.commands.push(["SELECT", String(dbId)]);
      this.selectedDb = dbId;
    }
    this.commands.push([...argv]);
  }
  write(_resp: string): void {}
}

/** Collects the commands of each execution unit and feeds them to every sink. */
export class Propagator {
  readonly sinks = new Set<PropagationSink>();
  #unit: { db: number; argv: string[]; replOnly: boolean }[] = [];
  #depth = 0;

  /** Starts an execution unit (nesting allowed; the outermost one flushes). */
  begin(): void {
    this.#depth++;
  }

  /**
   * Queues a command; outside a unit it is fed at once.
   * @param replOnly true: only sinks with `replication` get it (PUBLISH)
   */
  add(dbId: number, argv: string[], replOnly = false): void {
    if (this.sinks.size === 0) return;
    if (this.#depth === 0) {
      for (const s of this.sinks) if (!replOnly || s.replication) s.feed(dbId, argv);
      return;
    }
    this.#unit.push({ db: dbId, argv, replOnly });
  }

  /**
   * Feeds a command at once, ahead of the unit being collected: Redis 7.0 propagates the DEL
   * of a key that a command found expired on its own, before the command.
   */
  feedNow(dbId: number, argv: string[]): void {
    for (const s of this.sinks) s.feed(dbId, argv);
  }

  /** Ends a unit: feeds its commands, wrapped in MULTI/EXEC when there are several. */
  end(): void {
    if (--this.#depth > 0) return;
    const unit = this.#unit;
    if (unit.length === 0) return;
    this.#unit = [];
    const wrap = unit.length > 1;
    for (const s of this.sinks) {
      if (wrap) s.feed(unit[0].db, ["MULTI"]);
      for (const op of unit) if (!op.replOnly || s.replication) s.feed(op.db, op.argv);
      if (wrap) s.feed(unit[unit.length - 1].db, ["EXEC"]);
    }
  }
}
