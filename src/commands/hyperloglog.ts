// The hyperloglog family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** hyperloglog command specs. */
export const HYPERLOGLOG_COMMANDS: CommandSpec[] = [];
