// Who may download a factory's dataset (docs/economy.md section 10.1), decided in one place: the
// creator and the moderators, always; anyone else once they have burned the download threshold of
// the dataset's token or of a bundle that contains it (10.4, 10.6; src/dataset-tokens/access.ts).
import type { Actor } from "#src/core/context.ts";

export type DownloadReason = "creator" | "moderator" | "burned";

export type DownloadAccess = { allowed: true; reason: DownloadReason } | { allowed: false; why: string };

export async function mayDownload(
  actor: Actor,
  factory: { id: number; creatorUserId: number },
  hasBurned: () => Promise<boolean>,
): Promise<DownloadAccess> {
  if (factory.creatorUserId === actor.userId) return { allowed: true, reason: "creator" };
  if (actor.isModerator) return { allowed: true, reason: "moderator" };
  if (await hasBurned()) return { allowed: true, reason: "burned" };
  return {
    allowed: false,
    why:
      `Factory #${factory.id}'s dataset is downloaded by its creator, the moderators, and members who ` +
      `burned its token's download threshold: see /dataset market, then /dataset burn factory:${factory.id}.`,
  };
}

/** Exports freeze a version: the creator's call, or a moderator's. */
export function mayExport(actor: Actor, factory: { creatorUserId: number }): boolean {
  return factory.creatorUserId === actor.userId || actor.isModerator;
}
