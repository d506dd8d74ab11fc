// On PostgreSQL, 32 members buy and sell one dataset token at once. The trades serialize on the
// curve's row: replaying the recorded trades in commit order through the pure curve functions
// gives every recorded amount and the final state exactly, each member's balances are what their
// own trades say, sells of more than a member holds are refused with nothing moved, and the audit
// is clean (no account overdrawn).
import { expect, it } from "vitest";
import type { Actor } from "#src/core/context.ts";
import { isUserError } from "#src/core/errors.ts";
import { datasetAccounts } from "#src/dataset-tokens/accounts.ts";
import { type CurveState, quoteBuy, quoteSell } from "#src/dataset-tokens/curve.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { grant, member } from "#test/economy/ambassador-harness.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { credit, factoryWithDataset } from "./harness.ts";

const TRADERS = 32;
const CLONES = 10n ** 9n;

describeConsole(
  "32 traders at once on one curve",
  (get) => {
    it("ends where the same trades in commit order end, nothing overdrawn", async () => {
      const h = get();
      const factory = await factoryWithDataset(h, "cora", 2);
      await credit(h, "cora", "500");
      await credit(h, "cora", "0.05", "SOL");
      await h.one(`@cora /dataset launch factory:${factory} symbol:RACE threshold:100`);
      expect((await h.one("@cora /confirm")).code).toBe("ok");
      const { services } = h.app;
      const { datasetTokens, ledger, db } = services;

      const traders: Actor[] = [];
      for (let i = 0; i < TRADERS; i++) {
        traders.push(await member(services, `t${i}`));
        await grant(services, traders[i]!.userId, "CLONES", 5_000n * CLONES);
      }
      // Half of them hold tokens before the storm, so they have something to sell.
      for (let i = 0; i < TRADERS; i += 2)
        await datasetTokens.buy({
          actor: traders[i]!,
          key: `pre-${i}`,
          symbol: "RACE",
          payAtoms: 2_000n * CLONES,
        });
      const before = await datasetTokens.bySymbol(db.prisma, "RACE");
      const firstTrade = (await db.prisma.datasetTrade.count()) + 1;
      const held = new Map<number, bigint>();
      for (const t of traders)
        held.set(t.userId, (await ledger.balance(db.prisma, accounts.user(t.userId, "RACE"))).balanceAtoms);

      // The storm: odd traders buy, even traders sell half of what they hold; every fourth seller
      // also tries to sell more than they hold (refused).
      const outcomes = await Promise.allSettled(
        traders.flatMap((t, i) => {
          const key = `storm-${i}`;
          if (i % 2 === 1)
            return [
              datasetTokens.buy({ actor: t, key, symbol: "RACE", payAtoms: BigInt(100 + i * 37) * CLONES }),
            ];
          const sells = [
            datasetTokens.sell({ actor: t, key, symbol: "RACE", tokensIn: held.get(t.userId)! / 2n }),
          ];
          if (i % 4 === 0)
            sells.push(
              datasetTokens.sell({
                actor: t,
                key: `${key}-over`,
                symbol: "RACE",
                tokensIn: held.get(t.userId)! * 2n,
              }),
            );
          return sells;
        }),
      );
      const refused = outcomes.filter((o) => o.status === "rejected");
      expect(refused.length).toBe(TRADERS / 4); // the over-sells of traders 0, 4, 8, ...
      for (const r of refused)
        expect(
          isUserError((r as PromiseRejectedResult).reason),
          String((r as PromiseRejectedResult).reason),
        ).toBe(true);
      expect(outcomes.filter((o) => o.status === "fulfilled").length).toBe(TRADERS);

      // Replay in commit order (trade ids are assigned under the curve's lock).
      const trades = await db.prisma.datasetTrade.findMany({
        where: { id: { gte: firstTrade } },
        orderBy: { id: "asc" },
      });
      expect(trades.length).toBe(TRADERS);
      let state: CurveState = before.state;
      const delta = new Map<number, { clones: bigint; tokens: bigint }>();
      let fees = 0n;
      for (const t of trades) {
        const d = delta.get(t.userId) ?? { clones: 0n, tokens: 0n };
        if (t.side === "buy") {
          const q = quoteBuy(before.params, state, BigInt(t.clonesAtoms.toFixed()));
          if (!q.ok) throw new Error("replayed buy refused");
          expect(q.tokensOut.toString()).toBe(t.tokenAtoms.toFixed());
          state = q.after;
          d.clones -= q.payAtoms;
          d.tokens += q.tokensOut;
          fees += q.feeAtoms;
        } else {
          const q = quoteSell(before.params, state, BigInt(t.tokenAtoms.toFixed()));
          if (!q.ok) throw new Error("replayed sell refused");
          expect(q.proceedsAtoms.toString()).toBe(t.clonesAtoms.toFixed());
          state = q.after;
          d.clones += q.proceedsAtoms;
          d.tokens -= q.tokensIn;
          fees += q.feeAtoms;
        }
        expect([t.clonesAfter.toFixed(), t.tokensAfter.toFixed()]).toEqual([
          state.clones.toString(),
          state.tokens.toString(),
        ]);
        delta.set(t.userId, d);
      }
      const after = await datasetTokens.bySymbol(db.prisma, "RACE");
      expect(after.state).toEqual(state);

      // Each member's balances are exactly what their trades say; the curve's accounts match C - C0 and R.
      for (const [i, t] of traders.entries()) {
        const d = delta.get(t.userId) ?? { clones: 0n, tokens: 0n };
        const clones = (await ledger.balance(db.prisma, accounts.user(t.userId, "CLONES"))).balanceAtoms;
        const tokens = (await ledger.balance(db.prisma, accounts.user(t.userId, "RACE"))).balanceAtoms;
        const spentBefore = i % 2 === 0 ? 2_000n * CLONES : 0n;
        expect(clones).toBe(5_000n * CLONES - spentBefore + d.clones);
        expect(tokens).toBe(held.get(t.userId)! + d.tokens);
      }
      expect((await ledger.balance(db.prisma, datasetAccounts.curveClones("RACE"))).balanceAtoms).toBe(
        state.clones - before.params.initialClones,
      );
      expect((await ledger.balance(db.prisma, datasetAccounts.curveTokens("RACE"))).balanceAtoms).toBe(
        state.realTokens,
      );
      expect(fees).toBeGreaterThan(0n);
      const audit = await auditLedger(h.app.db);
      expect(audit.problems).toEqual([]);
    }, 240_000); // a slow shared machine: the setup alone is some 60 transactions
  },
  { moderators: ["mod"], env: { QUALITY_THRESHOLD: "0", DATASET_MIN_DEMONSTRATIONS: "2" }, poolSize: 40 },
);
