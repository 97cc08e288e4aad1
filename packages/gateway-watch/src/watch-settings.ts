import { MAX_TIMER_MS } from "@tau/gateway-runtime";
import { z } from "zod";
import { WatchError } from "./errors";

const ms = (min: number) => z.number().int().min(min).max(MAX_TIMER_MS);

/** Settings of a watch (behavior.md §11); every number is an integer. */
export const watchSettingsSchema = z
  .object({
    /** A cycle starts every interval (measured from the start of the previous one). */
    intervalMs: ms(0).default(30_000),
    /** Cycles to run before stopping; undefined runs until stopped. */
    count: z.number().int().min(1).optional(),
    /** Completed cycles needed before the verdict is more than `inconclusive`. */
    minCycles: z.number().int().min(1).default(3),
    /** The verdict holds (`gate_stale`) when the newest completed cycle is older; default 3 × interval, at least 1 s. */
    staleMs: ms(1).optional(),
    /** Cycles the window rule looks at (1 with maxHolds 0: the plain gate of the newest cycle). */
    window: z.number().int().min(1).max(10_000).default(1),
    /** Held cycles tolerated within the window; more holds the verdict. */
    windowMaxHolds: z.number().int().min(0).default(0),
  })
  .refine((s) => s.windowMaxHolds < s.window, {
    message: "windowMaxHolds must be smaller than window (otherwise the window rule could never hold)",
    path: ["windowMaxHolds"],
  });

export type WatchSettingsInput = z.input<typeof watchSettingsSchema>;
export type WatchSettings = z.output<typeof watchSettingsSchema> & { staleMs: number };

/** The staleness limit never defaults below this: a zero interval (tests, soaks) must not go stale between cycles. */
const MIN_DEFAULT_STALE_MS = 1_000;

/** Fills defaults (staleness 3 × interval, at least 1 s) and checks every number; throws E_INVALID_OPTION. */
export function resolveWatchSettings(input: WatchSettingsInput = {}): WatchSettings {
  const parsed = watchSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "settings";
    throw new WatchError("E_INVALID_OPTION", `watch ${where}: ${issue?.message ?? "invalid"}`);
  }
  const s = parsed.data;
  return { ...s, staleMs: s.staleMs ?? Math.min(MAX_TIMER_MS, Math.max(MIN_DEFAULT_STALE_MS, 3 * s.intervalMs)) };
}
