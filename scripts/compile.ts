// `deno task compile`: builds a self-contained `dist/redis-server-deno` with `deno compile`,
// using the permissions and V8 flags of deno.json's start task. deno compile needs the
// `denort` runtime, which it downloads unless the DENORT_BIN environment variable names a
// local copy; without network access that download fails, and this script says so plainly.

const REPO = new URL("../", import.meta.url).pathname;
const DEFAULT_OUTPUT = `${REPO}dist/redis-server-deno`;

const USAGE = `Usage: deno task compile [--output PATH]
  Builds ${DEFAULT_OUTPUT.slice(REPO.length)} (or PATH) from main.ts with deno compile.
  Set DENORT_BIN=/path/to/denort to use a local Deno runtime instead of downloading it.`;

/** Printed when deno compile cannot get its runtime. */
export const DENORT_HELP =
  `deno compile could not get the denort runtime it embeds in the executable.
It downloads denort-<target>.zip from Deno's release servers, which cannot be reached from here
(this is deno compile's own download; DENORT_BIN is the variable deno compile reads to skip it).
Point DENORT_BIN at a local denort binary of the same Deno version (${Deno.version.deno}) instead:
  DENORT_BIN=/path/to/denort deno task compile
denort ships in the denort-x86_64-unknown-linux-gnu.zip asset of each Deno release; it is not in
the npm packages (deno, @deno/linux-x64-glibc ship only the full deno CLI), and the deno CLI
itself cannot stand in for it (the result would run as the plain deno CLI).`;

/**
 * The `deno run` flags of deno.json's start task (permissions, --v8-flags), so compiled and
 * benchmarked servers run exactly as `deno task start` does.
 * @param denoJson the text of deno.json
 * @returns the words between `deno run` and `main.ts`, or a default permission set
 */
export function startTaskFlags(denoJson: string): string[] {
  const fallback = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys"];
  try {
    const start = JSON.parse(denoJson).tasks?.start;
    if (typeof start !== "string") return fallback;
    const words = start.trim().split(/\s+/);
    const main = words.indexOf("main.ts");
    if (words[0] !== "deno" || words[1] !== "run" || main < 2) return fallback;
    return words.slice(2, main);
  } catch {
    return fallback;
  }
}

/** True when deno compile's error output says it failed to obtain denort. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return /denort|Setting up base binary/i.test(stderr);
}

async function main(args: string[]): Promise<number> {
  let output = DEFAULT_OUTPUT;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") continue;
    if ((args[i] === "--output" || args[i] === "-o") && i + 1 < args.length) {
      output = args[++i];
    } else if (args[i] === "--help" || args[i] === "-h") {
      console.log(USAGE);
      return 0;
    } else {
      console.error(`Unknown option: ${args[i]}\n${USAGE}`);
      return 2;
    }
  }
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      if (!Deno.statSync(denort).isFile) throw new Error("not a file");
    } catch {
      console.error(`DENORT_BIN=${denort} does not name a file.\n\n${DENORT_HELP}`);
      return 1;
    }
    console.log(`Using DENORT_BIN=${denort}`);
  }
  const slash = output.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(output.slice(0, slash), { recursive: true });

  const flags = startTaskFlags(await Deno.readTextFile(`${REPO}deno.json`));
  const cmd = ["compile", ...flags, "--output", output, `${REPO}main.ts`];
  console.log(`$ deno ${cmd.join(" ")}`);
  // stderr is captured to recognise the download failure, and echoed either way.
  const out = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    cwd: REPO,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  await Deno.stderr.write(out.stderr);
  if (!out.success) {
    if (isRuntimeDownloadFailure(stderr)) console.error(`\n${DENORT_HELP}`);
    else console.error(`\ndeno compile failed (exit ${out.code})`);
    return 1;
  }
  console.log(`Built ${output}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
