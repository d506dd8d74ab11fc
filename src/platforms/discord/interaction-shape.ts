// What a signed body must hold before discord.js builds an interaction from it. Discord always sends
// these fields; a body without them (a bug at Discord, a test tool, a replay of something else
// signed with the key) would make discord.js throw while reading them, so it is refused with 400
// and what is missing is said. Unknown fields are kept: Discord adds new ones over time.
import { InteractionType } from "discord.js";
import { z } from "zod";

const snowflake = z.string().regex(/^\d{1,20}$/);
const user = z.looseObject({ id: snowflake });

const common = z.looseObject({
  id: snowflake,
  application_id: snowflake,
  token: z.string().min(1),
  version: z.number().int(),
});

const invoked = common.extend({
  // discord.js reads the invoker from user (direct messages) or member.user (servers).
  user: user.optional(),
  member: z.looseObject({ user }).optional(),
  entitlements: z.array(z.unknown()),
  authorizing_integration_owners: z.record(z.string(), z.unknown()),
});

const byType: Partial<Record<InteractionType, z.ZodType>> = {
  [InteractionType.Ping]: common.extend({ type: z.literal(InteractionType.Ping) }),
  [InteractionType.ApplicationCommand]: invoked.extend({
    data: z.looseObject({ id: snowflake, name: z.string(), type: z.number().int() }),
  }),
  [InteractionType.ApplicationCommandAutocomplete]: invoked.extend({
    data: z.looseObject({ id: snowflake, name: z.string(), type: z.number().int() }),
  }),
  [InteractionType.MessageComponent]: invoked.extend({
    data: z.looseObject({ custom_id: z.string(), component_type: z.number().int() }),
    message: z.looseObject({ id: snowflake, channel_id: snowflake }),
  }),
  [InteractionType.ModalSubmit]: invoked.extend({ data: z.looseObject({ custom_id: z.string() }) }),
};

/** Why `body` is not an interaction discord.js can read, or undefined when it is one. */
export function interactionShapeProblem(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the body is not an object";
  const type = (body as { type?: unknown }).type;
  const schema = byType[type as InteractionType];
  if (!schema) return `unknown interaction type ${JSON.stringify(type ?? null)}`;
  const result = schema.safeParse(body);
  if (!result.success)
    return `missing or malformed ${[...new Set(result.error.issues.map((i) => i.path.join(".") || "(body)"))].join(", ")}`;
  const invoker = body as { user?: unknown; member?: unknown };
  if (type !== InteractionType.Ping && !invoker.user && !invoker.member) return "missing user or member";
  return undefined;
}
