// Fee conservation through the real pools (console, cumulative fee rounding, reviewers' scores):
// for random bids, qualities, ambassador tiers and referral graphs, what a settlement takes from
// the pool is exactly farmer + commissions + protocol, no commission exceeds its rate or the fee,
// and the audit stays clean.
import fc from "fast-check";
import { expect, it } from "vitest";
import { accounts } from "#src/ledger/accounts.ts";
import { decimalString } from "#src/ledger/amount.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { writeDemo } from "./demo-files.ts";

const USDC = { symbol: "USDC", decimals: 6 };
const TIERS = [0, 1, 2, 3, 4, 5] as const;

async function userId(h: ConsoleHarness, name: string) {
  return (await h.app.services.identity.findByUsername(h.app.db.prisma, "console", name))!.userId;
}

async function usdc(h: ConsoleHarness, key: ReturnType<typeof accounts.user>) {
  return (await h.app.services.ledger.balance(h.app.db.prisma, key)).balanceAtoms;
}

async function expectOk(h: ConsoleHarness, script: string) {
  for (const r of await h.run(script))
    expect([r.command, r.code], r.text).toEqual([
      r.command,
      r.command.includes("/pool fund") ? "confirmation_required" : "ok",
    ]);
}

describeConsole(
  "fee conservation through the pools",
  (get) => {
    it("farmer + commissions + protocol = what the pool paid; no commission above its rate or the fee", async () => {
      const h = get();
      for (const tier of TIERS) {
        await expectOk(
          h,
          `
          @amb${tier} /stake status
          @mod /admin credit user:@amb${tier} amount:${tier * 1_000_000 + 1} token:CLONES reason:grant
          ${tier > 0 ? `@amb${tier} /stake add amount:${tier * 1_000_000}` : ""}
        `,
        );
      }
      const codes = new Map<number, string>();
      for (const tier of TIERS)
        codes.set(tier, ((await h.one(`@amb${tier} /referral link`)).data as { code: string }).code);
      const ambassadorIds = await Promise.all(TIERS.map((t) => userId(h, `amb${t}`)));

      let run = 0;
      const referrer = fc.option(fc.constantFrom(...TIERS), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 1n, max: 5_000_000n }), // up to 5 USDC
          fc.integer({ min: 0, max: 100 }),
          referrer,
          referrer,
          async (bidAtoms, quality, farmerTier, creatorTier) => {
            run++;
            const [creator, farmer] = [`pc${run}`, `pf${run}`];
            const bid = decimalString(bidAtoms, USDC);
            await expectOk(
              h,
              `
              @${creator} /balance
              @${farmer} /balance
              ${creatorTier === undefined ? "" : `@${creator} /referral use code:${codes.get(creatorTier)}`}
              ${farmerTier === undefined ? "" : `@${farmer} /referral use code:${codes.get(farmerTier)}`}
              @mod /admin credit user:@${creator} amount:${bid} token:USDC reason:grant
            `,
            );
            const created = await h.one(
              `@${creator} /factory create name:F${run} token:USDC bid:${bid} task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement the cart" ref:task_2`,
            );
            expect(created.code, created.text).toBe("ok");
            const factory = (created.data as { factory: { id: number } }).factory.id;
            await expectOk(
              h,
              `@${creator} /pool fund factory:${factory} amount:${bid}\n@${creator} /confirm`,
            );

            const farmerKey = accounts.user(await userId(h, farmer), "USDC");
            const watched = [
              farmerKey,
              ...ambassadorIds.map((id) => accounts.user(id, "USDC")),
              accounts.fees("USDC"),
            ];
            const pool = accounts.pool(factory, "USDC");
            const before = await Promise.all(watched.map((k) => usdc(h, k)));
            const poolBefore = await usdc(h, pool);

            const submitted = await h.one(
              `@${farmer} /submit factory:${factory} ${writeDemo(`prop-${run}`)}`,
            );
            expect(submitted.code, submitted.text).toBe("ok");
            await h.app.services.submissions.queue.idle();
            const id = (submitted.data as { submissionId: number }).submissionId;
            const scored = await h.one(`@mod /review score submission:${id} score:${quality}`);
            expect(scored.code, scored.text).toBe("ok");

            const delta = (await Promise.all(watched.map((k) => usdc(h, k)))).map((b, i) => b - before[i]!);
            const paidFromPool = poolBefore - (await usdc(h, pool));
            const gross = quality >= 50 ? (bidAtoms * BigInt(quality)) / 100n : 0n;
            const farmerGot = delta[0]!;
            const commissions = delta.slice(1, -1);
            const protocolGot = delta.at(-1)!;
            const fee = gross - farmerGot;
            expect(paidFromPool).toBe(gross);
            expect(farmerGot + commissions.reduce((s, c) => s + c, 0n) + protocolGot).toBe(gross);
            expect(fee).toBe(gross / 10n); // one reward per farmer: the cumulative fee is this one's
            expect(commissions.reduce((s, c) => s + c, 0n)).toBeLessThanOrEqual(fee);
            for (const [i, got] of commissions.entries()) {
              const tier = TIERS[i]!;
              const rate = (gross * BigInt(tier)) / 100n;
              const referredHere = (farmerTier === tier ? 1n : 0n) + (creatorTier === tier ? 1n : 0n);
              expect(got).toBeGreaterThanOrEqual(0n);
              expect(got).toBeLessThanOrEqual(rate * referredHere);
              expect(got).toBeLessThanOrEqual(fee);
            }
          },
        ),
        { numRuns: 15 },
      );
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
      // Fifteen whole pools through the console: about 20 s alone, several times that on a loaded machine.
    }, 240_000);
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: {
      GRADER_URL: "http://127.0.0.1:1/grade",
      GRADER_FALLBACK: "manual",
      GRADER_TIMEOUT_MS: "1000",
      REFERRAL_DAILY_CAP: "1000",
    },
  },
);
