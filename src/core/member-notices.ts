// Notices the platforms could not deliver (an expired Discord interaction, closed DMs, a Telegram
// member who never pressed Start, Discord without a bot token). They wait in the database, any
// replica's, until the member runs /scores, which shows them first and marks them seen.
import type { Reply } from "#src/core/reply.ts";
import type { Database, TxClient } from "#src/db/database.ts";

export interface KeptNotice {
  id: number;
  title: string | null;
  text: string;
  createdAt: Date;
}

/** How many unseen notices /scores shows at once; the rest wait for the next /scores. */
export const UNSEEN_NOTICES_SHOWN = 10;

export class MemberNotices {
  constructor(private readonly db: Database) {}

  /** Keeps a notice no platform delivered. */
  async keep(userId: number, message: Reply): Promise<void> {
    await this.db.prisma.memberNotice.create({
      data: {
        userId,
        title: message.title ?? null,
        text: message.text,
        createdAt: this.db.clock.now(),
      },
    });
  }

  /** The member's unseen notices, oldest first, marked seen as they are read. */
  async takeUnseen(db: TxClient, userId: number, now: Date): Promise<KeptNotice[]> {
    const unseen = await db.memberNotice.findMany({
      where: { userId, seenAt: null },
      orderBy: { id: "asc" },
      take: UNSEEN_NOTICES_SHOWN,
      select: { id: true, title: true, text: true, createdAt: true },
    });
    if (unseen.length > 0)
      await db.memberNotice.updateMany({
        where: { id: { in: unseen.map((n) => n.id) }, seenAt: null },
        data: { seenAt: now },
      });
    return unseen;
  }

  /** How many notices the member has not seen yet. */
  unseenCount(db: TxClient, userId: number): Promise<number> {
    return db.memberNotice.count({ where: { userId, seenAt: null } });
  }
}
