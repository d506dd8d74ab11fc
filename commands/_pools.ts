// Shared wording for the factory and pool commands: a factory's card and its JSON form.

import { literal } from "#src/core/markup.ts";
import type { FactoryView } from "#src/economy/pools/factory-views.ts";
import type { Services } from "#src/services.ts";
import { countOf, decimalString, formatCount, formatMoney, formatTime } from "./_format.ts";

export const STATUS_WORDS: Record<FactoryView["status"], string> = {
  live: "live",
  paused: "paused",
  out_of_funds: "out of funds",
  closed: "closed",
};

/** The status in words; a live pool that never had money waits for its first funding, it did not run out. */
export function statusWords(f: FactoryView): string {
  if (f.status === "out_of_funds" && !f.everFunded) return "waiting for its first funding";
  return STATUS_WORDS[f.status];
}

/** "premium: reputation ≥ 70 until 2026-11-24 10:00 UTC, then open to all", or "" when open to all. */
export function premiumWords(f: FactoryView): string {
  const { minReputation, premiumHours } = f.limits;
  if (minReputation === null) return "";
  if (f.reputationBar === null)
    return f.premiumUntil ? `premium first until ${formatTime(f.premiumUntil)}, now open to all` : "";
  const bar = `premium: reputation ≥ ${f.reputationBar}`;
  if (f.premiumUntil) return `${bar} until ${formatTime(f.premiumUntil)}, then open to all`;
  if (premiumHours) return `${bar} for ${premiumHours} h after the first funding, then open to all`;
  return bar;
}

/** "the Playground: the month's top 10 farmers by quality", or "" when anyone may submit. */
export function playgroundWords(f: FactoryView): string {
  const top = f.limits.playgroundTop;
  return top === null
    ? ""
    : `the Playground: the month's top ${top} farmer${top === 1 ? "" : "s"} by quality`;
}

/** Who may submit: the premium bar and the Playground, joined; "" when open to all. */
export function accessWords(f: FactoryView): string {
  return [premiumWords(f), playgroundWords(f)].filter(Boolean).join(", ");
}

export function factoryLine(services: Services, f: FactoryView): string {
  const token = services.tokens.get(f.token);
  const premium = accessWords(f) ? `, ${accessWords(f)}` : "";
  return `#${f.id} **${literal(f.name)}** — bid ${formatMoney(f.bidAtoms, token)}, ${countOf(f.fundedDemonstrations, "demonstration")} funded, ${statusWords(f)}${premium}`;
}

export function factoryCard(services: Services, f: FactoryView): string {
  const token = services.tokens.get(f.token);
  const m = (atoms: bigint) => formatMoney(atoms, token);
  const terms =
    f.terms.policy === "clones"
      ? `clones: deposits go 100% into the pool; farmers pay ${f.terms.rewardFeePercent}% of each reward`
      : `forge: ${f.terms.depositFeePercent}% of each deposit and a one-time setup fee of ${formatMoney(f.terms.setupFeeAtoms, services.tokens.get(f.terms.setupFeeToken))}, ${f.terms.setupFeeToken === f.token ? "taken from the first deposit" : `charged separately from the creator's ${f.terms.setupFeeToken} balance`}${f.setupFeePaid ? " (paid)" : ""}; rewards carry no fee`;
  const limits = [
    f.limits.limitPerFarmerTask ? `${f.limits.limitPerFarmerTask} per farmer per task` : "",
    f.limits.limitPerDay ? `${f.limits.limitPerDay} per day (UTC)` : "",
    f.limits.limitTotal ? `${f.limits.limitTotal} in total` : "",
    accessWords(f),
  ].filter(Boolean);
  return [
    `Status: ${statusWords(f)}`,
    f.description ? `About: ${literal(f.description)}` : "",
    `Bid: ${m(f.bidAtoms)} per demonstration (paid by quality)`,
    `Balance: ${m(f.balanceAtoms)}, reserved ${m(f.reservedAtoms)}, unreserved ${m(f.availableAtoms)} = ${countOf(f.fundedDemonstrations, "demonstration")} at the current bid`,
    `Demonstrations: ${formatCount(f.received)} received, ${formatCount(f.paid)} paid`,
    `Terms: ${terms}`,
    `Limits: ${limits.length ? limits.join(", ") : "none"}`,
    "Tasks:",
    ...f.tasks.map(
      (t) =>
        `• ${literal(t.ref)}: **${literal(t.title)}** in ${literal(t.app)} — ${literal(t.objectives.join("; "))}`,
    ),
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * A reply showing one factory: its card as text (and `note` under it), its JSON form as data.
 * `changed` marks the reply to a creator's change as a success.
 */
export function factoryReply(
  services: Services,
  f: FactoryView,
  title: string,
  how: { changed?: boolean; note?: string } = {},
) {
  return {
    title,
    text: how.note ? `${factoryCard(services, f)}\n${how.note}` : factoryCard(services, f),
    ...(how.changed ? { tone: "success" as const } : {}),
    data: { factory: factoryData(services, f) },
  };
}

export function factoryData(services: Services, f: FactoryView) {
  const token = services.tokens.get(f.token);
  const d = (atoms: bigint) => decimalString(atoms, token);
  return {
    id: f.id,
    name: f.name,
    creatorUserId: f.creatorUserId,
    token: f.token,
    bid: d(f.bidAtoms),
    status: f.status,
    policy: f.terms.policy,
    setupFee:
      f.terms.policy === "forge"
        ? {
            amount: decimalString(f.terms.setupFeeAtoms, services.tokens.get(f.terms.setupFeeToken)),
            token: f.terms.setupFeeToken,
            separate: f.terms.setupFeeToken !== f.token,
            paid: f.setupFeePaid,
          }
        : null,
    balance: d(f.balanceAtoms),
    reserved: d(f.reservedAtoms),
    available: d(f.availableAtoms),
    fundedDemonstrations: f.fundedDemonstrations.toString(),
    received: f.received,
    paid: f.paid,
    limits: f.limits,
    reputationBar: f.reputationBar,
    premiumUntil: f.premiumUntil?.toISOString() ?? null,
    tasks: f.tasks.map((t) => ({ id: t.id, ref: t.ref, title: t.title, app: t.app })),
  };
}

/** "a; b ;c" -> ["a", "b", "c"] */
export const splitObjectives = (text: string): string[] =>
  text
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
