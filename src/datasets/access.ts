// Who may download a factory's dataset (docs/economy.md section 10.1), decided in one place: the
// creator and the moderators, always. Burning the dataset token's download threshold (10.4) will be
// another way in; it goes here, as one more reason.
import type { Actor } from "#src/core/context.ts";

export type DownloadReason = "creator" | "moderator";

export type DownloadAccess = { allowed: true; reason: DownloadReason } | { allowed: false; why: string };

export function mayDownload(actor: Actor, factory: { id: number; creatorUserId: number }): DownloadAccess {
  if (factory.creatorUserId === actor.userId) return { allowed: true, reason: "creator" };
  if (actor.isModerator) return { allowed: true, reason: "moderator" };
  return {
    allowed: false,
    why: `Only factory #${factory.id}'s creator and the moderators may download its dataset.`,
  };
}

/** Exports freeze a version: the creator's call, or a moderator's. */
export function mayExport(actor: Actor, factory: { creatorUserId: number }): boolean {
  return factory.creatorUserId === actor.userId || actor.isModerator;
}
