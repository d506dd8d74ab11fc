// One source of truth for what a factory's fields may hold: the limits the commands declare to the
// platforms (commands/factory.ts) and the checks the service makes (so a console or an API caller
// meets the same rules), with the error a member sees for each.
import { UserError } from "#src/core/errors.ts";

/** Field limits, shared by the command options and the service's checks. */
export const FACTORY_FIELDS = {
  nameMax: 80,
  descriptionMax: 500,
  taskTitleMax: 120,
  taskAppMax: 80,
  /** The objectives as typed: one text, separated by ";". */
  objectivesTextMax: 1000,
  objectivesMax: 10,
  taskRefMax: 64,
  minReputationMax: 100,
  /** A premium-first head start is at most 30 days. */
  premiumHoursMax: 720,
  /** The Playground admits at most the month's top 1,000 farmers. */
  playgroundTopMax: 1000,
} as const;

/** A task's reference: the recorder's task_id. */
const TASK_REF = new RegExp(`^[\\w.-]{1,${FACTORY_FIELDS.taskRefMax}}$`);

export interface TaskInput {
  title: string;
  app: string;
  objectives: string[];
  /** The recorder's task_id; task_<n> when not given. */
  ref?: string;
}

export interface Limits {
  limitPerFarmerTask?: number | null;
  limitPerDay?: number | null;
  limitTotal?: number | null;
  minReputation?: number | null;
  /** Premium first: hours after the first funding before the reputation bar lifts (null: never). */
  premiumHours?: number | null;
  /** The Playground: only the month's top N farmers by quality may submit (null: everyone). */
  playgroundTop?: number | null;
}

export function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new UserError("missing_option", "Give the factory a name.");
  if (trimmed.length > FACTORY_FIELDS.nameMax)
    throw new UserError("invalid_option", `A name is at most ${FACTORY_FIELDS.nameMax} characters.`);
  return trimmed;
}

export function checkDescription(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > FACTORY_FIELDS.descriptionMax)
    throw new UserError(
      "invalid_option",
      `A description is at most ${FACTORY_FIELDS.descriptionMax} characters.`,
    );
  return trimmed;
}

export function checkBid(bidAtoms: bigint): void {
  if (bidAtoms <= 0n) throw new UserError("invalid_amount", "The bid must be more than zero, e.g. bid:0.2.");
}

export function checkTask(task: TaskInput, index: number): Required<TaskInput> {
  const title = task.title.trim();
  const app = task.app.trim();
  if (!title || !app) throw new UserError("missing_option", "A task needs a title and an app.");
  if (title.length > FACTORY_FIELDS.taskTitleMax)
    throw new UserError(
      "invalid_option",
      `A task title is at most ${FACTORY_FIELDS.taskTitleMax} characters.`,
    );
  const objectives = task.objectives.map((o) => o.trim()).filter(Boolean);
  if (objectives.length === 0)
    throw new UserError(
      "missing_option",
      'A task needs objectives, separated by ";", e.g. objectives:"Open the app; Add to cart".',
    );
  if (objectives.length > FACTORY_FIELDS.objectivesMax)
    throw new UserError("invalid_option", `A task has at most ${FACTORY_FIELDS.objectivesMax} objectives.`);
  const ref = (task.ref ?? `task_${index + 1}`).trim();
  if (!TASK_REF.test(ref))
    throw new UserError("invalid_option", "A task reference is letters, digits, _ . or -, e.g. task_2.");
  return { title, app, objectives, ref };
}

export function checkLimits(limits: Limits): Limits {
  const out: Limits = {};
  for (const key of ["limitPerFarmerTask", "limitPerDay", "limitTotal"] as const) {
    const value = limits[key];
    if (value === undefined) continue;
    if (value !== null && (!Number.isSafeInteger(value) || value < 0))
      throw new UserError("invalid_option", "A limit is a whole number of uploads (0 removes it).");
    out[key] = value === 0 ? null : value;
  }
  if (limits.minReputation !== undefined) {
    const value = limits.minReputation;
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > FACTORY_FIELDS.minReputationMax))
      throw new UserError(
        "invalid_option",
        `The minimum reputation is 0 to ${FACTORY_FIELDS.minReputationMax} (0 removes it).`,
      );
    out.minReputation = value === 0 ? null : value;
  }
  if (limits.premiumHours !== undefined) {
    const value = limits.premiumHours;
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > FACTORY_FIELDS.premiumHoursMax))
      throw new UserError(
        "invalid_option",
        `Premium first lasts 1 to ${FACTORY_FIELDS.premiumHoursMax} hours (0 keeps the factory premium for good).`,
      );
    out.premiumHours = value === 0 ? null : value;
  }
  if (limits.playgroundTop !== undefined) {
    const value = limits.playgroundTop;
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > FACTORY_FIELDS.playgroundTopMax))
      throw new UserError(
        "invalid_option",
        `The Playground admits the month's top 1 to ${FACTORY_FIELDS.playgroundTopMax} farmers by quality (0 opens the factory to everyone).`,
      );
    out.playgroundTop = value === 0 ? null : value;
  }
  return out;
}

export function checkPremiumFirst(minReputation: number | null, premiumHours: number | null): void {
  if (premiumHours !== null && minReputation === null)
    throw new UserError(
      "invalid_option",
      "premium_hours gives farmers above the minimum reputation a head start, so it needs min_reputation too (e.g. min_reputation:70 premium_hours:24); premium_hours:0 drops the head start.",
    );
}
