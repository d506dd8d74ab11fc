// Scheduled leaderboard posts. Moderators schedule a board for a channel with a cron expression; the
// `leaderboard-posts` job runs every minute in every bot process and, for each active schedule whose
// platform this process can post to, finds the latest time the cron fired and claims
// (schedule, fire time) in leaderboard_posts before posting (post-claims.ts). The primary key lets
// one process win the claim; a tick that comes late still posts the period it missed (the latest one
// only: an old leaderboard is not worth a flood).
//
// Exactly once, as far as the platforms allow. A claim whose sender died before marking it posted,
// or whose send failed, is taken over after the lease by the next tick of any process, up to
// `maxAttempts` attempts, then recorded failed. What is left is the narrow case of a process that
// dies after the platform accepted the message but before the database heard of it: the takeover
// sends again. On Discord that repeat carries the same nonce with enforce_nonce, so Discord returns
// the first message instead of posting another (it remembers nonces for a few minutes, hence a short
// lease). Telegram has no such key and a bot cannot read back a chat's history, so there the repeat
// posts twice. We chose that over the old behaviour (claim, then send, never retry), which lost the
// post silently in the same case and also whenever a send merely failed: a duplicate is visible and a
// moderator can delete it; a missing board nobody notices.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { DAY, MINUTE } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { ChannelRef } from "#src/core/spec.ts";
import type { Database } from "#src/db/database.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";
import { lastFireTime, nextFireTime, parseCron } from "./cron.ts";
import type { Leaderboards } from "./leaderboards.ts";
import { type PostClaimPolicy, PostClaims } from "./post-claims.ts";
import { boardReply } from "./replies.ts";
import type { BoardKind, Metric, PeriodName } from "./types.ts";

export interface ScheduleView {
  id: number;
  platform: string;
  channelId: string;
  channelName: string | null;
  board: BoardKind;
  metric: Metric;
  period: PeriodName;
  token: string | null;
  cron: string;
  createdAt: Date;
  nextPostAt: Date | null;
}

export interface ScheduleRequest {
  actor: Actor;
  key: string;
  now: Date;
  channel: ChannelRef;
  board: BoardKind;
  metric?: string;
  period: PeriodName;
  token?: string;
  cron: string;
}

export interface PostReport {
  /** Posts this process claimed and sent. */
  posted: number;
  /** Of those, posts taken over from an attempt that died or failed. */
  resumed: number;
  /** Attempts that failed (the platform refused, or the board could not be made). */
  failed: number;
  /** Posts given up on this tick: out of attempts, or overtaken by a later period. */
  gaveUp: number;
}

export interface PostPolicyOptions {
  /** This process in leaderboard_posts.owner (tests name their processes). */
  owner?: string;
  /** An attempt not marked posted this long after it began is taken over (default one minute). */
  leaseMs?: number;
  /** Attempts per post before it is recorded failed (default 3). */
  maxAttempts?: number;
}

/**
 * One minute: the job ticks every minute, so a post whose sender died is taken over one or two
 * minutes later, inside the few minutes Discord remembers a nonce; a send takes seconds.
 */
export const DEFAULT_POST_LEASE_MS = MINUTE;
export const DEFAULT_POST_MAX_ATTEMPTS = 3;
/** How far back a late tick still posts a missed period. */
const CATCH_UP_MS = DAY;
/** Active schedules at most, so a mistake cannot make the bot flood every channel. */
export const MAX_SCHEDULES = 50;

type Row = {
  id: number;
  platform: string;
  channelId: string;
  channelName: string | null;
  board: string;
  metric: string;
  period: string;
  token: string | null;
  cron: string;
  createdAt: Date;
};

export class LeaderboardSchedules {
  readonly owner: string;
  readonly claims: PostClaims;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;

  constructor(
    private readonly db: Database,
    private readonly tokens: TokenRegistry,
    private readonly leaderboards: Leaderboards,
    options: PostPolicyOptions = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.#leaseMs = options.leaseMs ?? DEFAULT_POST_LEASE_MS;
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_POST_MAX_ATTEMPTS;
    this.claims = new PostClaims(db);
  }

  async schedule(request: ScheduleRequest): Promise<ScheduleView> {
    if (!request.actor.isModerator) throw forbidden("Only moderators can schedule leaderboard posts.");
    const cron = parseCron(request.cron);
    if (cron.minutes.size !== 1)
      throw new UserError(
        "invalid_cron",
        'A leaderboard is posted at most once an hour: give the minute as one number, e.g. "0 9 * * 1".',
      );
    const metric = this.leaderboards.metricFor(request.board, request.metric);
    const token = request.token ? this.tokens.get(request.token).symbol : null;
    const input = {
      platform: request.channel.platform,
      channelId: request.channel.id,
      channelName: request.channel.name ?? null,
      board: request.board,
      metric,
      period: request.period,
      token,
      cron: cron.source,
    };
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "leaderboard.schedule", key: request.key, input }, async () => {
        const active = await tx.db.leaderboardSchedule.count({ where: { removedAt: null } });
        if (active >= MAX_SCHEDULES)
          throw new UserError(
            "too_many_schedules",
            `There are already ${active} scheduled leaderboards; remove one with /admin leaderboard unschedule first.`,
          );
        const row = await tx.db.leaderboardSchedule.create({
          data: { ...input, key: request.key, createdById: request.actor.userId, createdAt: request.now },
        });
        return { id: row.id };
      }),
    );
    const row = await this.db.prisma.leaderboardSchedule.findUniqueOrThrow({ where: { id: result.id } });
    return this.view(row, request.now);
  }

  async unschedule(request: { actor: Actor; key: string; now: Date; id: number }): Promise<ScheduleView> {
    if (!request.actor.isModerator)
      throw forbidden("Only moderators can remove scheduled leaderboard posts.");
    await this.db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "leaderboard.unschedule", key: request.key, input: { id: request.id } },
        async () => {
          const found = await tx.db.leaderboardSchedule.findUnique({ where: { id: request.id } });
          if (!found || found.removedAt)
            throw new UserError(
              "unknown_schedule",
              `There is no active scheduled leaderboard #${request.id}; /admin leaderboard schedules lists them.`,
            );
          await tx.db.leaderboardSchedule.update({
            where: { id: request.id },
            data: { removedAt: request.now },
          });
          return { id: request.id };
        },
      ),
    );
    const row = await this.db.prisma.leaderboardSchedule.findUniqueOrThrow({ where: { id: request.id } });
    return this.view(row, request.now);
  }

  async list(now: Date): Promise<ScheduleView[]> {
    const rows = await this.db.prisma.leaderboardSchedule.findMany({
      where: { removedAt: null },
      orderBy: { id: "asc" },
    });
    return rows.map((r) => this.view(r, now));
  }

  /**
   * Posts a board in a channel now (/admin leaderboard post). The event's key is claimed first, so a
   * redelivered command does not post twice; the replay answers with the first post's board.
   */
  async postNow(
    request: Omit<ScheduleRequest, "cron">,
    notifier: Notifier,
    images: boolean,
  ): Promise<{ replayed: boolean; title: string }> {
    if (!request.actor.isModerator) throw forbidden("Only moderators can post leaderboards in channels.");
    if (!notifier.platforms.includes(request.channel.platform as never))
      throw new UserError(
        "platform_not_running",
        `This bot does not run on ${request.channel.platform} here, so it cannot post in that channel.`,
      );
    const board = await this.leaderboards.board({
      kind: request.board,
      metric: this.leaderboards.metricFor(request.board, request.metric),
      period: request.period,
      ...(request.token ? { token: this.tokens.get(request.token) } : {}),
      now: request.now,
    });
    const input = {
      channel: `${request.channel.platform}:${request.channel.id}`,
      board: board.kind,
      metric: board.metric,
      period: board.period,
      token: board.token ?? null,
    };
    const { replayed } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "leaderboard.post", key: request.key, input }, async () => ({
        title: board.title,
      })),
    );
    if (!replayed) await notifier.postToChannel(request.channel, await boardReply(board, images));
    return { replayed, title: board.title };
  }

  /**
   * The job's step: for every schedule this process can post to, claims the latest due period (or
   * takes over one whose attempt died or failed) and posts it. Once `signal` is aborted (the job's
   * timeout) it claims nothing more; a post already claimed is finished and recorded first.
   */
  async postDue(
    now: Date,
    notifier: Notifier,
    options: { images: boolean; log: Logger; signal?: AbortSignal },
  ): Promise<PostReport> {
    const platforms = new Set<string>(notifier.platforms);
    const report: PostReport = { posted: 0, resumed: 0, failed: 0, gaveUp: 0 };
    const policy: PostClaimPolicy = {
      owner: this.owner,
      now,
      leaseMs: this.#leaseMs,
      maxAttempts: this.#maxAttempts,
    };
    const schedules = await this.db.prisma.leaderboardSchedule.findMany({
      where: { removedAt: null, platform: { in: [...platforms] } },
      orderBy: { id: "asc" },
    });
    for (const schedule of schedules) {
      options.signal?.throwIfAborted();
      const after = new Date(Math.max(schedule.createdAt.getTime(), now.getTime() - CATCH_UP_MS));
      const fired = lastFireTime(parseCron(schedule.cron), now, after);
      if (!fired) continue;
      const periodKey = `${fired.toISOString().slice(0, 16)}Z`;
      const where = { scheduleId: schedule.id, periodKey };
      report.gaveUp += await this.claims.supersede(schedule.id, periodKey, policy);
      const claim = await this.claims.claim(schedule.id, periodKey, policy);
      if (!claim.claimed) {
        if (claim.gaveUpNow) {
          report.gaveUp++;
          options.log.warn({ ...where, attempts: this.#maxAttempts }, "scheduled leaderboard given up");
        }
        continue;
      }
      if (claim.resumed)
        options.log.info({ ...where, attempt: claim.attempt }, "retrying a scheduled leaderboard");
      try {
        const board = await this.leaderboards.board({
          kind: schedule.board as BoardKind,
          metric: schedule.metric as Metric,
          period: schedule.period as PeriodName,
          ...(schedule.token ? { token: this.tokens.get(schedule.token) } : {}),
          now: fired,
        });
        await notifier.postToChannel(
          { platform: schedule.platform, id: schedule.channelId },
          await boardReply(board, options.images),
          // The same key on every attempt at this period: Discord drops a repeat (see the top).
          { dedupKey: `leaderboard:${schedule.id}:${periodKey}` },
        );
      } catch (error) {
        report.failed++;
        const message = error instanceof Error ? error.message : String(error);
        const outcome = await this.claims.failed(
          schedule.id,
          periodKey,
          this.owner,
          claim.attempt,
          this.#maxAttempts,
          message,
        );
        if (outcome === "failed") report.gaveUp++;
        options.log.warn(
          { err: error, ...where, attempt: claim.attempt, outcome },
          outcome === "retry"
            ? "scheduled leaderboard not posted; it will be retried"
            : "scheduled leaderboard not posted",
        );
        continue;
      }
      report.posted++;
      if (claim.resumed) report.resumed++;
      const held = await this.claims.posted(
        schedule.id,
        periodKey,
        this.owner,
        claim.attempt,
        this.db.clock.now(),
      );
      // This attempt outlived its lease and another process took the post over: the other attempt
      // records the outcome (on Discord the two sends were one message, by the nonce).
      if (!held)
        options.log.warn(
          { ...where, attempt: claim.attempt },
          "scheduled leaderboard posted after its lease ran out",
        );
    }
    return report;
  }

  private view(row: Row & { removedAt?: Date | null }, now: Date): ScheduleView {
    return {
      id: row.id,
      platform: row.platform,
      channelId: row.channelId,
      channelName: row.channelName,
      board: row.board as BoardKind,
      metric: row.metric as Metric,
      period: row.period as PeriodName,
      token: row.token,
      cron: row.cron,
      createdAt: row.createdAt,
      nextPostAt: row.removedAt ? null : (nextFireTime(parseCron(row.cron), now) ?? null),
    };
  }
}
