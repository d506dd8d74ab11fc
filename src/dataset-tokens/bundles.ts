// Bundles (meta-datasets) and their governance, docs/economy.md section 10.6. A moderator creates a
// bundle and launches its token at once; a member proposes one and CLONES stakers vote on it for
// BUNDLE_VOTING_DAYS, each vote weighing the voter's stake when the vote closes. The governance job
// (bundle-job.ts) closes due votes: a yes majority with the quorum launches the bundle's token,
// anything else rejects it. A moderator may veto an open proposal, with a reason.
//
// A bundle's token is launched like a dataset's, without a fee: its allocation A_b is divided
// among the creators of its datasets in proportion to their accepted demonstrations at launch
// (largest remainder, ties to the lower factory id), and its volume fees the same way, rounded
// down, the rest to the protocol (fee-recipients.ts).
import { Decimal } from "decimal.js";
import { DAY } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import type { Staking } from "#src/economy/ambassadors/staking.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { DatasetTokens } from "./dataset-tokens.ts";
import { checkThreshold, curveFor, launchToken, normalizeSymbol, requireFreeSymbol } from "./launch.ts";
import { type DatasetTokenRow, tokenRowOf } from "./rows.ts";
import { largestRemainder } from "./shares.ts";

export interface BundleOptions {
  votingDays: number;
  /** Percent of the CLONES supply whose stake must have voted (decimal string). */
  quorumPercent: string;
}

export type BundleStatus = "voting" | "launched" | "rejected" | "vetoed";

export interface BundleView {
  id: number;
  name: string;
  symbol: string;
  thresholdBps: number;
  status: BundleStatus;
  factoryIds: number[];
  votingEndsAt: Date | null;
  outcome: string | null;
  yesAtoms: bigint | null;
  noAtoms: bigint | null;
  votes: number;
}

export interface BundleInput {
  name: string;
  symbol: string;
  thresholdBps: number;
  /** "1, 2, 3": the factories whose datasets it bundles. */
  factories: string;
}

type Request = { actor: Actor; key: string };

export class DatasetBundles {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: DatasetTokens,
    private readonly staking: Staking,
    private readonly options: BundleOptions,
  ) {}

  /** The factory numbers of "1, 2, 3": two or more distinct tokenized datasets, or a UserError. */
  async checkInput(db: TxClient, input: BundleInput): Promise<{ symbol: string; factoryIds: number[] }> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 80)
      throw new UserError("invalid_name", "A bundle's name is 1 to 80 characters, e.g. name:Web agents.");
    const symbol = normalizeSymbol(input.symbol);
    checkThreshold(input.thresholdBps);
    const parts = input.factories.split(/[\s,]+/).filter((p) => p !== "");
    if (parts.some((p) => !/^#?\d{1,9}$/.test(p)))
      throw new UserError(
        "invalid_option",
        "List the factories by number, separated by commas, e.g. factories:1,2,3.",
      );
    const factoryIds = [...new Set(parts.map((p) => Number(p.replace("#", ""))))].sort((a, b) => a - b);
    if (factoryIds.length < 2)
      throw new UserError(
        "too_few_datasets",
        "A bundle holds two or more tokenized datasets, e.g. factories:1,2.",
      );
    if (factoryIds.length > 50)
      throw new UserError("too_many_datasets", "A bundle holds at most 50 datasets.");
    const launched = await db.datasetToken.findMany({ where: { factoryId: { in: factoryIds } } });
    const missing = factoryIds.filter((id) => !launched.some((t) => t.factoryId === id));
    if (missing.length > 0)
      throw new UserError(
        "not_launched",
        `Only tokenized datasets can be bundled; ${missing.map((id) => `#${id}`).join(", ")} ${missing.length === 1 ? "has" : "have"} no dataset token. /dataset market lists those that do.`,
      );
    await requireFreeSymbol(db, symbol);
    return { symbol, factoryIds };
  }

  /** A moderator's bundle, launched at once. */
  async create(request: Request & BundleInput): Promise<{ bundle: BundleView; token: DatasetTokenRow }> {
    const { actor, key } = request;
    if (!actor.isModerator)
      throw forbidden(
        "Only moderators can create a bundle; members propose one with /dataset bundle propose.",
      );
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "bundle.create", key, input: inputOf(actor, request) }, async () => {
        const { symbol, factoryIds } = await this.checkInput(tx.db, request);
        const row = await tx.db.datasetBundle.create({
          data: {
            name: request.name.trim(),
            symbol,
            thresholdBps: request.thresholdBps,
            status: "launched",
            proposedByUserId: actor.userId,
            decidedByUserId: actor.userId,
            decidedAt: tx.now,
            outcome: "created by a moderator",
            createdAt: tx.now,
            members: { create: factoryIds.map((factoryId) => ({ factoryId })) },
          },
        });
        const token = await this.launchBundle(tx, key, row.id, actor.userId);
        return { bundle: await this.view(tx.db, row.id), token };
      }),
    );
    return result;
  }

  /** A member's proposal, open for votes for BUNDLE_VOTING_DAYS. */
  async propose(request: Request & BundleInput & { now: Date }): Promise<BundleView> {
    const { actor, key } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "bundle.propose", key, input: inputOf(actor, request) }, async () => {
        const { symbol, factoryIds } = await this.checkInput(tx.db, request);
        const row = await tx.db.datasetBundle.create({
          data: {
            name: request.name.trim(),
            symbol,
            thresholdBps: request.thresholdBps,
            status: "voting",
            proposedByUserId: actor.userId,
            votingEndsAt: new Date(tx.now.getTime() + this.options.votingDays * DAY),
            createdAt: tx.now,
            members: { create: factoryIds.map((factoryId) => ({ factoryId })) },
          },
        });
        return this.view(tx.db, row.id);
      }),
    );
    return result;
  }

  /** A staker's yes or no; voting again replaces the vote. Its weight is the stake at the close. */
  async vote(request: Request & { bundleId: number; yes: boolean }): Promise<BundleView> {
    const { actor, key, bundleId, yes } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "bundle.vote", key, input: { userId: actor.userId, bundleId, yes } }, async () => {
        const bundle = await this.lockOpen(tx, bundleId);
        if (bundle.votingEndsAt && bundle.votingEndsAt <= tx.now)
          throw new UserError(
            "voting_closed",
            `The vote on bundle #${bundleId} has ended; its result is being counted.`,
          );
        const stake = await this.staking.amountsOf(tx.db, actor.userId);
        if (stake.stakedAtoms === 0n)
          throw new UserError(
            "not_a_staker",
            "Only CLONES stakers vote on bundles, each vote weighing the stake when the vote closes. Stake with /stake add, then vote.",
          );
        await tx.db.datasetBundleVote.upsert({
          where: { bundleId_userId: { bundleId, userId: actor.userId } },
          create: { bundleId, userId: actor.userId, yes, createdAt: tx.now },
          update: { yes, createdAt: tx.now },
        });
        return this.view(tx.db, bundleId);
      }),
    );
    return result;
  }

  /** A moderator's veto of an open proposal, with a reason. */
  async veto(request: Request & { bundleId: number; reason: string }): Promise<BundleView> {
    const { actor, key, bundleId } = request;
    if (!actor.isModerator) throw forbidden("Only moderators can veto a bundle proposal.");
    const reason = request.reason.trim();
    if (reason.length < 3)
      throw new UserError(
        "reason_required",
        "A veto needs a reason members can read, e.g. reason:duplicate of #4.",
      );
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "bundle.veto", key, input: { userId: actor.userId, bundleId, reason } },
        async () => {
          await this.lockOpen(tx, bundleId);
          await tx.db.datasetBundle.update({
            where: { id: bundleId },
            data: { status: "vetoed", outcome: reason, decidedByUserId: actor.userId, decidedAt: tx.now },
          });
          return this.view(tx.db, bundleId);
        },
      ),
    );
    return result;
  }

  /**
   * Closes every vote that has ended by `now`, each in its own transaction: counts the stakes,
   * then launches or rejects. A proposal already closed is skipped, so a retried run does nothing
   * twice.
   */
  async closeDue(
    now: Date,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ launched: number; rejected: number }> {
    const due = await this.db.prisma.datasetBundle.findMany({
      where: { status: "voting", votingEndsAt: { lte: now } },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    let launched = 0;
    let rejected = 0;
    for (const { id } of due) {
      opts.signal?.throwIfAborted();
      const outcome = await this.db.transaction(async (tx) => {
        await tx.db.$queryRaw`SELECT id FROM dataset_bundles WHERE id = ${id} FOR UPDATE`;
        const bundle = await tx.db.datasetBundle.findUniqueOrThrow({ where: { id } });
        if (bundle.status !== "voting") return "skipped" as const;
        const tally = await this.tally(tx, id);
        const quorumMet = new Decimal((tally.yes + tally.no).toString())
          .mul(100)
          .gte(new Decimal(this.staking.supplyAtoms.toString()).mul(this.options.quorumPercent));
        const passed = quorumMet && tally.yes > tally.no;
        let reason = passed
          ? "passed: a yes majority with the quorum"
          : !quorumMet
            ? `rejected: below the quorum of ${this.options.quorumPercent}% of the CLONES supply`
            : "rejected: no yes majority";
        if (passed) {
          try {
            await this.checkLaunchable(tx.db, id, bundle.symbol);
          } catch (error) {
            if (!(error instanceof UserError)) throw error;
            reason = `passed but could not launch: ${error.message}`;
          }
        }
        const launchNow = reason.startsWith("passed:");
        await tx.db.datasetBundle.update({
          where: { id },
          data: {
            status: launchNow ? "launched" : "rejected",
            outcome: reason,
            decidedAt: tx.now,
            yesAtoms: tally.yes.toString(),
            noAtoms: tally.no.toString(),
          },
        });
        if (launchNow) await this.launchBundle(tx, `bundle.close|${id}`, id, bundle.proposedByUserId);
        return launchNow ? ("launched" as const) : ("rejected" as const);
      });
      if (outcome === "launched") launched++;
      if (outcome === "rejected") rejected++;
    }
    return { launched, rejected };
  }

  /** Bundle `bundleId`'s token, or a UserError saying it has none (yet). */
  async tokenOf(db: TxClient, bundleId: number): Promise<DatasetTokenRow> {
    const bundle = await this.view(db, bundleId);
    const row = await db.datasetToken.findUnique({ where: { bundleId } });
    if (!row)
      throw new UserError(
        "not_launched",
        `Bundle #${bundleId} has no token: it is ${bundle.status}${bundle.status === "voting" ? " until the vote closes" : ""}.`,
      );
    return tokenRowOf(row);
  }

  async list(
    db: TxClient,
    window: { limit: number; offset: number },
  ): Promise<{ total: number; rows: BundleView[] }> {
    const [total, rows] = await Promise.all([
      db.datasetBundle.count(),
      db.datasetBundle.findMany({
        orderBy: { id: "desc" },
        take: window.limit,
        skip: window.offset,
        select: { id: true },
      }),
    ]);
    return { total, rows: await Promise.all(rows.map((r) => this.view(db, r.id))) };
  }

  async view(db: TxClient, bundleId: number): Promise<BundleView> {
    const row = await db.datasetBundle.findUnique({
      where: { id: bundleId },
      include: { members: { orderBy: { factoryId: "asc" } }, _count: { select: { votes: true } } },
    });
    if (!row)
      throw new UserError("not_found", `There is no bundle #${bundleId}. /dataset bundle list shows them.`);
    return {
      id: row.id,
      name: row.name,
      symbol: row.symbol,
      thresholdBps: row.thresholdBps,
      status: row.status as BundleStatus,
      factoryIds: row.members.map((m) => m.factoryId),
      votingEndsAt: row.votingEndsAt,
      outcome: row.outcome,
      yesAtoms: row.yesAtoms === null ? null : BigInt(row.yesAtoms.toFixed()),
      noAtoms: row.noAtoms === null ? null : BigInt(row.noAtoms.toFixed()),
      votes: row._count.votes,
    };
  }

  /** The stake-weighted tally now: each voter's staked CLONES. */
  private async tally(tx: Tx, bundleId: number): Promise<{ yes: bigint; no: bigint }> {
    const votes = await tx.db.datasetBundleVote.findMany({ where: { bundleId }, orderBy: { userId: "asc" } });
    const stakes = await this.staking.lockStakes(
      tx,
      votes.map((v) => v.userId),
      "share",
    );
    let yes = 0n;
    let no = 0n;
    for (const v of votes) {
      const weight = stakes.get(v.userId)?.stakedAtoms ?? 0n;
      if (v.yes) yes += weight;
      else no += weight;
    }
    return { yes, no };
  }

  private async lockOpen(tx: Tx, bundleId: number) {
    if (!Number.isSafeInteger(bundleId) || bundleId <= 0)
      throw new UserError("invalid_option", "A bundle is named by its number, e.g. bundle:2.");
    await tx.db.$queryRaw`SELECT id FROM dataset_bundles WHERE id = ${bundleId} FOR UPDATE`;
    const bundle = await tx.db.datasetBundle.findUnique({ where: { id: bundleId } });
    if (!bundle)
      throw new UserError("not_found", `There is no bundle #${bundleId}. /dataset bundle list shows them.`);
    if (bundle.status !== "voting")
      throw new UserError("not_open", `Bundle #${bundleId} is not open for votes: it was ${bundle.status}.`);
    return bundle;
  }

  /** A passed proposal's datasets must still be tokenized and its symbol still free. */
  private async checkLaunchable(db: TxClient, bundleId: number, symbol: string): Promise<void> {
    const members = await db.datasetBundleMember.findMany({ where: { bundleId } });
    const launched = await db.datasetToken.count({
      where: { factoryId: { in: members.map((m) => m.factoryId) } },
    });
    if (launched !== members.length) throw new UserError("not_launched", "a dataset in it has no token");
    if (await db.token.findUnique({ where: { symbol } }))
      throw new UserError("symbol_taken", `the symbol ${symbol} was taken meanwhile`);
  }

  /** Launches bundle `bundleId`'s token: A_b divided among the creators by accepted demonstrations. */
  private async launchBundle(
    tx: Tx,
    key: string,
    bundleId: number,
    launchedByUserId: number,
  ): Promise<DatasetTokenRow> {
    const bundle = await tx.db.datasetBundle.findUniqueOrThrow({
      where: { id: bundleId },
      include: { members: { orderBy: { factoryId: "asc" } } },
    });
    const factoryIds = bundle.members.map((m) => m.factoryId);
    const accepted = await this.tokens.acceptedDemonstrations(tx.db, factoryIds);
    const factories = await tx.db.factory.findMany({ where: { id: { in: factoryIds } } });
    const { params } = curveFor(bundle.thresholdBps, this.tokens.initialClones, this.tokens.volumeFeeBps);
    const weights = factoryIds.map((factoryId) => ({
      factoryId,
      weight: BigInt(accepted.get(factoryId) ?? 0),
    }));
    const shares = largestRemainder(params.allocationAtoms, weights);
    for (const [i, factoryId] of factoryIds.entries())
      await tx.db.datasetBundleMember.update({
        where: { bundleId_factoryId: { bundleId, factoryId } },
        data: {
          acceptedDemonstrations: accepted.get(factoryId) ?? 0,
          allocationAtoms: shares[i]!.toString(),
        },
      });
    return launchToken(tx, this.ledger, key, {
      symbol: bundle.symbol,
      kind: "bundle",
      bundleId,
      launchedByUserId,
      thresholdBps: bundle.thresholdBps,
      feeBps: this.tokens.volumeFeeBps,
      initialClones: this.tokens.initialClones,
      allocation: factoryIds.map((factoryId, i) => ({
        userId: factories.find((f) => f.id === factoryId)!.creatorUserId,
        amountAtoms: shares[i]!,
      })),
    });
  }
}

const inputOf = (actor: Actor, input: BundleInput) => ({
  userId: actor.userId,
  name: input.name,
  symbol: input.symbol,
  thresholdBps: input.thresholdBps,
  factories: input.factories,
});
