// Logging in Redis's line format: `pid:role dd Mon yyyy hh:mm:ss.mmm <c> message`, where
// <c> is `.` debug, `-` verbose, `*` notice, `#` warning. `loglevel` filters; `logfile` empty
// means stdout.

/** Redis log levels, lowest first. */
export type LogLevel = "debug" | "verbose" | "notice" | "warning";

const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARKS = [".", "-", "*", "#"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const encoder = new TextEncoder();

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** A Redis-style logger writing to stdout or a file. */
export class Logger {
  #level = LEVELS.notice;
  #file: Deno.FsFile | null = null;
  /** 'M' master, 'S' replica. */
  role = "M";

  /** Sets the minimum level written. */
  setLevel(level: string): void {
    this.#level = LEVELS[level as LogLevel] ?? LEVELS.notice;
  }

  /** Sends output to `path` (appending), or stdout when empty. */
  setFile(path: string): void {
    this.#file?.close();
    this.#file = path === "" ? null : Deno.openSync(path, { append: true, create: true });
  }

  /** True when `level` would be written. */
  enabled(level: LogLevel): boolean {
    return LEVELS[level] >= this.#level;
  }

  /** Writes one line at `level`. */
  log(level: LogLevel, msg: string): void {
    const lv = LEVELS[level];
    if (lv < this.#level) return;
    this.raw(`${this.prefix(lv)} ${msg}\n`);
  }

  debug(msg: string): void {
    this.log("debug", msg);
  }
  verbose(msg: string): void {
    this.log("verbose", msg);
  }
  notice(msg: string): void {
    this.log("notice", msg);
  }
  warning(msg: string): void {
    this.log("warning", msg);
  }

  /** `pid:role dd Mon yyyy hh:mm:ss.mmm <mark>` for level index `lv`. */
  prefix(lv: number): string {
    const d = new Date();
    return `${Deno.pid}:${this.role} ${pad(d.getDate())} ${
      MONTHS[d.getMonth()]
    } ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${
      pad(d.getMilliseconds(), 3)
    } ${MARKS[lv]}`;
  }

  /** Writes text as-is (banner). */
  raw(text: string): void {
    const bytes = encoder.encode(text);
    if (this.#file) this.#file.writeSync(bytes);
    else {
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    }
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** The process-wide logger. */
export const log = new Logger();
