// The geo family: implementation lands with issue 3.
import type { CommandSpec } from "./spec.ts";

/** geo command specs. */
export const GEO_COMMANDS: CommandSpec[] = [];
