// Suggestions while a member types a number (Discord autocomplete, Telegram's buttons for a missing
// value): factories, submissions and arena tasks, the member's own first, then the live ones. What
// was typed matches the number (with or without its #) or a word of the name.
import type { Choice } from "#src/core/spec.ts";
import type { Ctx } from "./_kit.ts";

const LIMIT = 25;
/** Discord shows at most 100 characters of a choice's name. */
const NAME_MAX = 100;

interface Candidate {
  id: number;
  label: string;
  /** Searched by what was typed, besides the number. */
  words: string;
}

/** Own first, then the others; each list already in the order it should show. */
function choose(partial: string, own: Candidate[], others: Candidate[]): Array<Choice<number>> {
  const typed = partial.trim().replace(/^#/, "").toLowerCase();
  const matches = (c: Candidate) =>
    typed === "" || String(c.id).startsWith(typed) || c.words.toLowerCase().includes(typed);
  const seen = new Set<number>();
  const out: Array<Choice<number>> = [];
  for (const c of [...own, ...others]) {
    if (seen.has(c.id) || !matches(c)) continue;
    seen.add(c.id);
    out.push({ name: clip(`#${c.id} ${c.label}`), value: c.id });
    if (out.length === LIMIT) break;
  }
  return out;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= NAME_MAX ? flat : `${flat.slice(0, NAME_MAX - 1)}…`;
}

/** Factories: the member's own (any status but closed), then live ones, newest first. */
export async function suggestFactories(ctx: Ctx, partial: string): Promise<Array<Choice<number>>> {
  const db = ctx.services.db.prisma;
  const select = { id: true, name: true, status: true, token: true } as const;
  const [own, live] = await Promise.all([
    db.factory.findMany({
      where: { creatorUserId: ctx.actor.userId, status: { not: "closed" } },
      select,
      orderBy: { id: "desc" },
      take: 50,
    }),
    db.factory.findMany({ where: { status: "live" }, select, orderBy: { id: "desc" }, take: 100 }),
  ]);
  const candidate = (mine: boolean) => (f: (typeof own)[number]) => ({
    id: f.id,
    label: `${f.name} (${f.token}${f.status === "live" ? "" : `, ${f.status}`}${mine ? ", yours" : ""})`,
    words: f.name,
  });
  return choose(partial, own.map(candidate(true)), live.map(candidate(false)));
}

/** Submissions: the member's own, newest first, then (for a reviewer) those waiting for a person. */
export async function suggestSubmissions(ctx: Ctx, partial: string): Promise<Array<Choice<number>>> {
  const { db, submissions } = ctx.services;
  const [own, queue] = await Promise.all([
    db.prisma.submission.findMany({
      where: { farmerUserId: ctx.actor.userId },
      include: { factory: { select: { name: true } }, task: { select: { title: true } } },
      orderBy: { id: "desc" },
      take: 50,
    }),
    submissions.reviewQueue(db.prisma, ctx.actor),
  ]);
  const candidate = (s: (typeof own)[number]) => ({
    id: s.id,
    label: `${s.task.title} in ${s.factory.name} (${s.status.replace("_", " ")}${s.score === null ? "" : `, ${s.score}/100`})`,
    words: `${s.task.title} ${s.factory.name}`,
  });
  const waiting = queue.map((s) => ({
    id: s.id,
    label: `${s.task.title}, factory #${s.factoryId} (${s.status.replace("_", " ")})`,
    words: s.task.title,
  }));
  return choose(partial, own.map(candidate), waiting);
}

/** Arena tasks: those the member takes part in, then all, newest first. */
export async function suggestArenaTasks(ctx: Ctx, partial: string): Promise<Array<Choice<number>>> {
  const db = ctx.services.db.prisma;
  const [mine, all] = await Promise.all([
    db.arenaParticipant.findMany({
      where: { userId: ctx.actor.userId },
      select: { role: true, task: { select: { id: true, title: true } } },
      orderBy: { taskId: "desc" },
      take: 50,
    }),
    db.arenaTask.findMany({ select: { id: true, title: true }, orderBy: { id: "desc" }, take: 100 }),
  ]);
  return choose(
    partial,
    mine.map((p) => ({ id: p.task.id, label: `${p.task.title} (your ${p.role})`, words: p.task.title })),
    all.map((t) => ({ id: t.id, label: t.title, words: t.title })),
  );
}
