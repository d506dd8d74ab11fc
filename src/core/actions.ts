// Stored steps that a button resumes: a confirmation waiting for its Confirm press, or the pages of
// a long list. A button carries only "cf:<id>", "cx:<id>" or "pg:<id>:<page>", which fits
// Telegram's 64-byte callback data and Discord's 100-character custom ids.
import { randomBytes } from "node:crypto";
import type { TxClient } from "#src/db/database.ts";
import { UserError } from "./errors.ts";
import type { RawOptionValue } from "./options.ts";

// pending_actions.kind and pending_actions.resolution: a CHECK in the database holds each column to
// the values of its type below.

/** confirm and page: the core's buttons; draft: a command a front end is still asking options for. */
export type ActionKind = "confirm" | "page" | "draft";

/**
 * How an action ended; null while open. A confirmation ends once, whatever happens: confirmed
 * (claimed by its Confirm press), failed (that press was refused, e.g. the money was gone),
 * cancelled, or superseded (the member asked for something newer that needs confirming).
 */
export type Resolution = "confirmed" | "failed" | "cancelled" | "superseded";

export interface StoredAction {
  id: string;
  userId: number;
  kind: ActionKind;
  path: string[];
  options: Record<string, RawOptionValue>;
  platform: string;
  createdAt: Date;
  expiresAt: Date;
  resolution: Resolution | null;
}

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

function newId(): string {
  const bytes = randomBytes(12);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

export class PendingActions {
  constructor(private readonly ttlSeconds: number) {}

  async create(
    db: TxClient,
    action: {
      userId: number;
      kind: ActionKind;
      path: string[];
      options: Record<string, RawOptionValue>;
      platform: string;
    },
    now: Date,
  ): Promise<StoredAction> {
    const id = newId();
    const expiresAt = new Date(now.getTime() + this.ttlSeconds * 1000);
    await db.pendingAction.create({
      data: {
        id,
        userId: action.userId,
        kind: action.kind,
        command: action.path.join(" "),
        options: action.options as never,
        platform: action.platform,
        createdAt: now,
        expiresAt,
      },
    });
    return { ...action, id, createdAt: now, expiresAt, resolution: null };
  }

  async get(db: TxClient, id: string): Promise<StoredAction | undefined> {
    const row = await db.pendingAction.findUnique({ where: { id } });
    if (!row) return undefined;
    return {
      id: row.id,
      userId: row.userId,
      kind: row.kind as ActionKind,
      path: row.command.split(" "),
      options: row.options as Record<string, RawOptionValue>,
      platform: row.platform,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      resolution: row.resolution as StoredAction["resolution"],
    };
  }

  /** The user's most recent open confirmation (the console's /confirm and /cancel), or other kind. */
  async latestOpen(
    db: TxClient,
    userId: number,
    now: Date,
    kind: ActionKind = "confirm",
  ): Promise<StoredAction | undefined> {
    const row = await db.pendingAction.findFirst({
      where: { userId, kind, resolution: null, expiresAt: { gt: now } },
      orderBy: { createdAt: "desc" },
      select: { id: true },
    });
    return row ? this.get(db, row.id) : undefined;
  }

  /** Records the outcome once; false if it was already resolved. */
  async resolve(db: TxClient, id: string, resolution: Resolution, now: Date): Promise<boolean> {
    const updated = await db.pendingAction.updateMany({
      where: { id, resolution: null },
      data: { resolution, resolvedAt: now },
    });
    return updated.count === 1;
  }

  /**
   * Takes an open, unexpired confirmation for its one Confirm press; false if it is no longer open
   * (two presses at once: only one claims it).
   */
  async claim(db: TxClient, id: string, now: Date): Promise<boolean> {
    const updated = await db.pendingAction.updateMany({
      where: { id, kind: "confirm" satisfies ActionKind, resolution: null, expiresAt: { gt: now } },
      data: { resolution: "confirmed" satisfies Resolution, resolvedAt: now },
    });
    return updated.count === 1;
  }

  /** A claimed confirmation whose command was refused: it stays ended, never confirmable again. */
  async fail(db: TxClient, id: string, now: Date): Promise<void> {
    await db.pendingAction.updateMany({
      where: { id, resolution: "confirmed" satisfies Resolution },
      data: { resolution: "failed" satisfies Resolution, resolvedAt: now },
    });
  }

  /** Ends every open confirmation of the user (a newer one replaces them, or a cancel ends them). */
  endOpenConfirmations(
    db: TxClient,
    userId: number,
    resolution: Extract<Resolution, "cancelled" | "superseded">,
    now: Date,
  ): Promise<number> {
    return this.endOpen(db, userId, "confirm", resolution, now);
  }

  /** Ends every open action of one kind of the user (a draft nobody will answer, say). */
  async endOpen(
    db: TxClient,
    userId: number,
    kind: ActionKind,
    resolution: Extract<Resolution, "cancelled" | "superseded">,
    now: Date,
  ): Promise<number> {
    const updated = await db.pendingAction.updateMany({
      where: { userId, kind, resolution: null },
      data: { resolution, resolvedAt: now },
    });
    return updated.count;
  }
}

/** What a button of a confirmation that is no longer open answers: why, and that nothing was done. */
export function closedConfirmation(action: StoredAction, now: Date): UserError {
  const again = "Nothing was done; run the command again if you still want it.";
  switch (action.resolution) {
    case "confirmed":
      return new UserError("already_confirmed", "This preview is no longer open: it was already confirmed.");
    case "failed":
      return new UserError(
        "confirmation_failed",
        `This preview is no longer open: its confirmation was refused. ${again}`,
      );
    case "cancelled":
      return new UserError(
        "confirmation_cancelled",
        `This preview is no longer open: it was cancelled. ${again}`,
      );
    case "superseded":
      return new UserError(
        "confirmation_superseded",
        `This preview is no longer open: a newer command replaced it. ${again}`,
      );
    default:
      return new UserError(
        "confirmation_expired",
        action.expiresAt.getTime() <= now.getTime()
          ? `This preview has expired. ${again}`
          : `This preview is no longer open. ${again}`,
      );
  }
}
