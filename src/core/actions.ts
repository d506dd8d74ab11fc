// Stored steps that a button resumes: a confirmation waiting for its Confirm press, or the pages of
// a long list. A button carries only "cf:<id>", "cx:<id>" or "pg:<id>:<page>", which fits
// Telegram's 64-byte callback data and Discord's 100-character custom ids.
import { randomBytes } from "node:crypto";
import type { TxClient } from "#src/db/database.ts";
import type { RawOptionValue } from "./options.ts";

/** confirm and page: the core's buttons; draft: a command a front end is still asking options for. */
export type ActionKind = "confirm" | "page" | "draft";

export interface StoredAction {
  id: string;
  userId: number;
  kind: ActionKind;
  path: string[];
  options: Record<string, RawOptionValue>;
  platform: string;
  expiresAt: Date;
  resolution: "confirmed" | "cancelled" | null;
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
    return { ...action, id, expiresAt, resolution: null };
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
  async resolve(
    db: TxClient,
    id: string,
    resolution: "confirmed" | "cancelled",
    now: Date,
  ): Promise<boolean> {
    const updated = await db.pendingAction.updateMany({
      where: { id, resolution: null },
      data: { resolution, resolvedAt: now },
    });
    return updated.count === 1;
  }
}
