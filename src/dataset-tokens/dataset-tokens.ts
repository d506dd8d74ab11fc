// Dataset tokens (docs/economy.md sections 10.2 to 10.4): launching a factory's token, quotes,
// buys and sells on its curve (burns for download access are in burns.ts). Every change runs once per key
// (runOnce) inside one transaction that first locks the token's row, so trades on one curve apply
// one at a time, in commit order. Previews (the *Preview methods) change nothing and refuse early
// what cannot succeed; the action checks everything again under the lock.
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { findFactory } from "#src/economy/pools/factory-access.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, parseAmount, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger, TransferOp } from "#src/ledger/ledger.ts";
import { CURVE_TOKEN, DATASET_CODES, datasetAccounts } from "./accounts.ts";
import { type BuyQuote, quoteBuy, type SellQuote } from "./curve.ts";
import { feeParts, feeTransfers } from "./fee-recipients.ts";
import { checkThreshold, curveFor, launchToken, normalizeSymbol, requireFreeSymbol } from "./launch.ts";
import { type DatasetTokenRow, lockToken, saveCurve, tokenRowOf } from "./rows.ts";
import { checkedBuy, checkedSell } from "./trade-checks.ts";

export interface DatasetTokensOptions {
  minDemonstrations: number;
  launchFee: ReadonlyArray<{ amount: string; token: string }>;
  /** C0 in whole CLONES (a decimal string). */
  curveClones: string;
  volumeFeeBps: number;
}

type Request = { actor: Actor; key: string };

export interface LaunchPlan {
  factoryId: number;
  symbol: string;
  thresholdBps: number;
  acceptedDemonstrations: number;
  fees: Array<{ token: string; amountAtoms: bigint }>;
  allocationAtoms: bigint;
  curveTokensAtoms: bigint;
  initialClones: bigint;
  initialTokens: bigint;
  /** What a first buy of 100 CLONES would give. */
  sampleBuy: { payAtoms: bigint; tokensOut: bigint };
}

export type TradeResult =
  | {
      side: "buy";
      symbol: string;
      payAtoms: bigint;
      feeAtoms: bigint;
      tokensOut: bigint;
      token: DatasetTokenRow;
    }
  | {
      side: "sell";
      symbol: string;
      tokensIn: bigint;
      feeAtoms: bigint;
      proceedsAtoms: bigint;
      token: DatasetTokenRow;
    };

export class DatasetTokens {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly options: DatasetTokensOptions,
  ) {
    // A launch fee in a token the registry does not know stops the bot at start-up, not at a launch.
    this.launchFees();
  }

  get clones(): TokenInfo {
    return this.ledger.tokens.get(CURVE_TOKEN);
  }

  /** C0 in atoms. */
  get initialClones(): bigint {
    return parseAmount(this.options.curveClones, this.clones);
  }

  get volumeFeeBps(): number {
    return this.options.volumeFeeBps;
  }

  /** The launch fee in atoms, per token. */
  launchFees(): Array<{ token: string; amountAtoms: bigint }> {
    return this.options.launchFee.map((f) => ({
      token: f.token,
      amountAtoms: parseAmount(f.amount, this.ledger.tokens.get(f.token)),
    }));
  }

  // ---- reads ------------------------------------------------------------------------------

  /** Accepted demonstrations (settled at or above the factory's threshold) per factory (10.1). */
  async acceptedDemonstrations(db: TxClient, factoryIds: number[]): Promise<Map<number, number>> {
    if (factoryIds.length === 0) return new Map();
    const rows = await db.$queryRaw<Array<{ factory_id: number; n: number }>>`
      SELECT s.factory_id, COUNT(*)::int AS n FROM submissions s JOIN factories f ON f.id = s.factory_id
      WHERE s.status = 'settled' AND s.score >= f.quality_threshold AND s.factory_id = ANY(${factoryIds}::int[])
      GROUP BY s.factory_id`;
    return new Map(factoryIds.map((id) => [id, rows.find((r) => r.factory_id === id)?.n ?? 0]));
  }

  /** The token by symbol (any case), or a UserError naming /dataset market. */
  async bySymbol(db: TxClient, symbol: string): Promise<DatasetTokenRow> {
    const row = await db.datasetToken.findUnique({ where: { symbol: symbol.trim().toUpperCase() } });
    if (!row)
      throw new UserError(
        "not_found",
        `There is no dataset token "${symbol.slice(0, 20)}". /dataset market lists them.`,
      );
    return tokenRowOf(row);
  }

  /** The token of factory `factoryId`, or a UserError saying it has none yet. */
  async byFactory(db: TxClient, factoryId: number): Promise<DatasetTokenRow> {
    await findFactory(db, factoryId);
    const row = await db.datasetToken.findUnique({ where: { factoryId } });
    if (!row)
      throw new UserError(
        "not_launched",
        `Factory #${factoryId} has no dataset token yet; its creator launches one with /dataset launch.`,
      );
    return tokenRowOf(row);
  }

  // ---- launch (10.2) ----------------------------------------------------------------------

  /** Checks a launch and says what it would do; changes nothing. */
  async launchPreview(
    db: TxClient,
    actor: Actor,
    input: { factoryId: number; symbol: string; thresholdBps: number },
  ): Promise<LaunchPlan> {
    const symbol = normalizeSymbol(input.symbol);
    checkThreshold(input.thresholdBps);
    const factory = await findFactory(db, input.factoryId);
    if (factory.creatorUserId !== actor.userId)
      throw forbidden(`Only factory #${factory.id}'s creator can launch its dataset token.`);
    if (await db.datasetToken.findUnique({ where: { factoryId: factory.id } }))
      throw new UserError(
        "already_launched",
        `Factory #${factory.id} already has its dataset token; a dataset launches once. /dataset quote shows its price.`,
      );
    const accepted = (await this.acceptedDemonstrations(db, [factory.id])).get(factory.id)!;
    if (accepted < this.options.minDemonstrations)
      throw new UserError(
        "too_few_demonstrations",
        `Factory #${factory.id} has ${accepted} accepted demonstration${accepted === 1 ? "" : "s"}; a dataset token needs at least ${this.options.minDemonstrations}. Launch it once ${this.options.minDemonstrations - accepted} more are accepted.`,
      );
    await requireFreeSymbol(db, symbol);
    const fees = this.launchFees();
    const missing: string[] = [];
    for (const fee of fees) {
      const { availableAtoms } = await this.ledger.balance(db, accounts.user(actor.userId, fee.token));
      if (availableAtoms < fee.amountAtoms) {
        const token = this.ledger.tokens.get(fee.token);
        missing.push(
          `${formatMoney(fee.amountAtoms, token)} (you have ${formatMoney(availableAtoms, token)})`,
        );
      }
    }
    if (missing.length > 0)
      throw new UserError(
        "insufficient_funds",
        `The launch fee needs ${missing.join(" and ")}. Deposit the difference (/deposit), then launch again; nothing was charged.`,
      );
    const { params, state } = curveFor(input.thresholdBps, this.initialClones, this.options.volumeFeeBps);
    const samplePay = 100n * 10n ** BigInt(this.clones.decimals);
    const sample = quoteBuy(params, state, samplePay);
    return {
      factoryId: factory.id,
      symbol,
      thresholdBps: input.thresholdBps,
      acceptedDemonstrations: accepted,
      fees,
      allocationAtoms: params.allocationAtoms,
      curveTokensAtoms: params.initialRealTokens,
      initialClones: state.clones,
      initialTokens: state.tokens,
      sampleBuy: { payAtoms: samplePay, tokensOut: sample.ok ? sample.tokensOut : 0n },
    };
  }

  /** Launches factory `factoryId`'s token: the fee to the protocol, A to the creator, R0 to the curve. */
  async launch(
    request: Request & { factoryId: number; symbol: string; thresholdBps: number },
  ): Promise<{ plan: LaunchPlan; token: DatasetTokenRow }> {
    const { actor, key, factoryId, thresholdBps } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "dataset.launch",
          key,
          input: { userId: actor.userId, factoryId, symbol: request.symbol, thresholdBps },
        },
        async () => {
          await findFactory(tx.db, factoryId);
          // One launch per factory: a second one waits here and then finds the first.
          await tx.db.$queryRaw`SELECT id FROM factories WHERE id = ${factoryId} FOR UPDATE`;
          const plan = await this.launchPreview(tx.db, actor, request);
          await this.ledger.execute(
            tx,
            plan.fees
              .filter((f) => f.amountAtoms > 0n)
              .map((f) => ({
                kind: "transfer" as const,
                key: subKey(key, "launch-fee", f.token),
                debit: accounts.user(actor.userId, f.token),
                credit: datasetAccounts.protocolFees(f.token),
                token: f.token,
                amountAtoms: f.amountAtoms,
                code: DATASET_CODES.launchFee,
                meta: { symbol: plan.symbol, factoryId },
              })),
          );
          const token = await launchToken(tx, this.ledger, key, {
            symbol: plan.symbol,
            kind: "dataset",
            factoryId,
            launchedByUserId: actor.userId,
            thresholdBps,
            feeBps: this.options.volumeFeeBps,
            initialClones: this.initialClones,
            allocation: [{ userId: actor.userId, amountAtoms: plan.allocationAtoms }],
          });
          return { plan, token };
        },
      ),
    );
    return result;
  }

  // ---- trades (10.3) ----------------------------------------------------------------------

  /** What buying with `payAtoms` would give now, or a UserError saying what would work. */
  async buyPreview(
    db: TxClient,
    actor: Actor,
    input: { symbol: string; payAtoms: bigint; minOut?: bigint },
  ): Promise<{ token: DatasetTokenRow; quote: Extract<BuyQuote, { ok: true }> }> {
    const token = await this.bySymbol(db, input.symbol);
    const quote = this.requireBuy(token, input.payAtoms, input.minOut);
    await this.ledger.requireAvailable(db, accounts.user(actor.userId, CURVE_TOKEN), input.payAtoms);
    return { token, quote };
  }

  /** What selling `tokensIn` would give now, or a UserError saying what would work. */
  async sellPreview(
    db: TxClient,
    actor: Actor,
    input: { symbol: string; tokensIn: bigint; minOut?: bigint },
  ): Promise<{ token: DatasetTokenRow; quote: Extract<SellQuote, { ok: true }> }> {
    const token = await this.bySymbol(db, input.symbol);
    const quote = this.requireSell(token, input.tokensIn, input.minOut);
    await this.ledger.requireAvailable(db, accounts.user(actor.userId, token.symbol), input.tokensIn);
    return { token, quote };
  }

  async buy(request: Request & { symbol: string; payAtoms: bigint; minOut?: bigint }): Promise<TradeResult> {
    const { actor, key, payAtoms, minOut } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "dataset.buy",
          key,
          input: { userId: actor.userId, symbol: request.symbol, payAtoms, minOut },
        },
        async (): Promise<TradeResult> => {
          const found = await this.bySymbol(tx.db, request.symbol);
          const token = await lockToken(tx, found.id);
          const quote = this.requireBuy(token, payAtoms, minOut);
          const buyer = accounts.user(actor.userId, CURVE_TOKEN);
          const parts = await feeParts(tx.db, token, quote.feeAtoms);
          await this.transfers(tx, [
            {
              key: subKey(key, "in"),
              debit: buyer,
              credit: datasetAccounts.curveClones(token.symbol),
              token: CURVE_TOKEN,
              amountAtoms: quote.intoCurveAtoms,
              code: DATASET_CODES.buy,
              meta: { symbol: token.symbol },
            },
            ...feeTransfers(key, buyer, parts, token.symbol, actor.userId),
            {
              key: subKey(key, "out"),
              debit: datasetAccounts.curveTokens(token.symbol),
              credit: accounts.user(actor.userId, token.symbol),
              token: token.symbol,
              amountAtoms: quote.tokensOut,
              code: DATASET_CODES.buy,
            },
          ]);
          await this.record(
            tx,
            token,
            actor.userId,
            "buy",
            payAtoms,
            quote.feeAtoms,
            quote.tokensOut,
            quote.after,
          );
          return {
            side: "buy",
            symbol: token.symbol,
            payAtoms,
            feeAtoms: quote.feeAtoms,
            tokensOut: quote.tokensOut,
            token: { ...token, state: quote.after },
          };
        },
      ),
    );
    return result;
  }

  async sell(request: Request & { symbol: string; tokensIn: bigint; minOut?: bigint }): Promise<TradeResult> {
    const { actor, key, tokensIn, minOut } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "dataset.sell",
          key,
          input: { userId: actor.userId, symbol: request.symbol, tokensIn, minOut },
        },
        async (): Promise<TradeResult> => {
          const found = await this.bySymbol(tx.db, request.symbol);
          const token = await lockToken(tx, found.id);
          const quote = this.requireSell(token, tokensIn, minOut);
          const curve = datasetAccounts.curveClones(token.symbol);
          const parts = await feeParts(tx.db, token, quote.feeAtoms);
          await this.transfers(tx, [
            {
              key: subKey(key, "in"),
              debit: accounts.user(actor.userId, token.symbol),
              credit: datasetAccounts.curveTokens(token.symbol),
              token: token.symbol,
              amountAtoms: tokensIn,
              code: DATASET_CODES.sell,
            },
            {
              key: subKey(key, "out"),
              debit: curve,
              credit: accounts.user(actor.userId, CURVE_TOKEN),
              token: CURVE_TOKEN,
              amountAtoms: quote.proceedsAtoms,
              code: DATASET_CODES.sell,
              meta: { symbol: token.symbol },
            },
            ...feeTransfers(key, curve, parts, token.symbol),
          ]);
          await this.record(
            tx,
            token,
            actor.userId,
            "sell",
            quote.proceedsAtoms,
            quote.feeAtoms,
            tokensIn,
            quote.after,
          );
          return {
            side: "sell",
            symbol: token.symbol,
            tokensIn,
            feeAtoms: quote.feeAtoms,
            proceedsAtoms: quote.proceedsAtoms,
            token: { ...token, state: quote.after },
          };
        },
      ),
    );
    return result;
  }

  /** The buy quote, or the refusal that says what would work (trade-checks.ts). */
  requireBuy(token: DatasetTokenRow, payAtoms: bigint, minOut?: bigint): Extract<BuyQuote, { ok: true }> {
    return checkedBuy(token, payAtoms, this.clones, minOut);
  }

  /** The sell quote, or the refusal that says what would work (trade-checks.ts). */
  requireSell(token: DatasetTokenRow, tokensIn: bigint, minOut?: bigint): Extract<SellQuote, { ok: true }> {
    return checkedSell(token, tokensIn, this.clones, minOut);
  }

  private async transfers(tx: Tx, ops: Omit<TransferOp, "kind">[]): Promise<void> {
    await this.ledger.execute(
      tx,
      ops.filter((op) => op.amountAtoms > 0n).map((op) => ({ ...op, kind: "transfer" as const })),
    );
  }

  private async record(
    tx: Tx,
    token: DatasetTokenRow,
    userId: number,
    side: "buy" | "sell",
    clonesAtoms: bigint,
    feeAtoms: bigint,
    tokenAtoms: bigint,
    after: DatasetTokenRow["state"],
  ): Promise<void> {
    await saveCurve(tx, token.id, after);
    await tx.db.datasetTrade.create({
      data: {
        tokenId: token.id,
        userId,
        side,
        clonesAtoms: clonesAtoms.toString(),
        feeAtoms: feeAtoms.toString(),
        tokenAtoms: tokenAtoms.toString(),
        clonesAfter: after.clones.toString(),
        tokensAfter: after.tokens.toString(),
        createdAt: tx.now,
      },
    });
  }
}
