// Random sequences of transfers, reservations, posts, voids, replays and bad requests, checked
// against a simple model after every step: balances match, nothing that may not go negative does,
// replays change nothing, refusals change nothing, and the audit agrees.
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { type AccountKey, accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger, type LedgerOp } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

const TOKENS = ["USDC", "ETH"] as const;
const HOLDERS = 4; // per run: world + 3 users + 1 pool per token

type Step =
  | {
      kind: "transfer" | "reserve";
      from: number;
      to: number;
      token: number;
      amount: bigint;
      reuseKey: number | null;
    }
  | { kind: "post"; pending: number; part: number | null }
  | { kind: "void"; pending: number }
  | { kind: "bad"; variant: "zero" | "negative" | "same-account" | "unknown-token" };

const holderIndex = fc.integer({ min: 0, max: HOLDERS });
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom("transfer" as const, "reserve" as const),
      from: holderIndex,
      to: holderIndex,
      token: fc.integer({ min: 0, max: 1 }),
      amount: fc.oneof(fc.bigInt({ min: 1n, max: 500n }), fc.constant(10n ** 30n)),
      reuseKey: fc.option(fc.nat(20), { freq: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("post" as const),
      pending: fc.nat(20),
      part: fc.option(fc.double({ min: 0, max: 1.2, noNaN: true })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("void" as const), pending: fc.nat(20) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("bad" as const),
      variant: fc.constantFrom(
        "zero" as const,
        "negative" as const,
        "same-account" as const,
        "unknown-token" as const,
      ),
    }),
  },
);

interface ModelAccount {
  key: AccountKey;
  balance: bigint;
  pending: bigint;
  mayGoNegative: boolean;
}

interface ModelPending {
  id: bigint;
  from: ModelAccount;
  to: ModelAccount;
  amount: bigint;
  open: boolean;
}

describeEachDatabase("ledger properties", (getDb, kind) => {
  let ledger: Ledger;
  let run = 0;
  beforeAll(async () => {
    ledger = new Ledger(await getDb().transaction((tx) => TokenRegistry.load(tx)));
  });

  it("keeps every invariant over random sequences of requests", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArbitrary, { minLength: 1, maxLength: kind === "postgres" ? 25 : 30 }),
        async (steps) => {
          const db = getDb();
          const tag = `run${++run}`;
          // Holder 0 is the outside world; 1..3 users; 4 a pool.
          const model = TOKENS.map((token) =>
            Array.from({ length: HOLDERS + 1 }, (_, h): ModelAccount => {
              const key =
                h === 0
                  ? { ...accounts.world(token), ownerId: `world-${tag}` }
                  : h === HOLDERS
                    ? accounts.pool(`${tag}`, token)
                    : accounts.user(Number(`${run}${h}`), token);
              return { key, balance: 0n, pending: 0n, mayGoNegative: h === 0 };
            }),
          );
          const pendings: ModelPending[] = [];
          const usedKeys: Array<{ key: string; op: LedgerOp; outcome: unknown }> = [];
          let n = 0;
          const attempt = async (op: LedgerOp) => db.transaction((tx) => ledger.execute(tx, [op]));

          for (const step of steps) {
            n++;
            if (step.kind === "transfer" || step.kind === "reserve") {
              const from = model[step.token]![step.from]!;
              const to = model[step.token]![step.to]!;
              const previous =
                step.reuseKey !== null ? usedKeys[step.reuseKey % Math.max(usedKeys.length, 1)] : undefined;
              const key = previous?.key ?? `${tag}:${n}`;
              const op: LedgerOp = {
                kind: step.kind,
                key,
                debit: from.key,
                credit: to.key,
                token: TOKENS[step.token]!,
                amountAtoms: step.amount,
                code: "test.move",
              };
              const sameRequest =
                previous &&
                JSON.stringify(previous.op, (_k, v) => (typeof v === "bigint" ? String(v) : v)) ===
                  JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? String(v) : v));
              const outcome = await attempt(op).then(
                (records) => records[0]!,
                (error: { code?: string }) => error,
              );
              if (from === to) {
                expect((outcome as { code?: string }).code).toBe("invalid_transfer");
                continue;
              }
              if (previous) {
                // The same request replays the first result; another request under a used key is refused.
                if (sameRequest)
                  expect(outcome).toMatchObject({
                    replayed: true,
                    id: (previous.outcome as { id: bigint }).id,
                  });
                else expect((outcome as { code?: string }).code).toBe("idempotency_conflict");
                continue;
              }
              const available = from.balance - from.pending;
              if (!from.mayGoNegative && available < step.amount) {
                expect((outcome as { code?: string }).code).toBe("insufficient_funds");
                continue;
              }
              expect(outcome).toMatchObject({ replayed: false, amountAtoms: step.amount });
              usedKeys.push({ key, op, outcome });
              if (step.kind === "transfer") {
                from.balance -= step.amount;
                to.balance += step.amount;
              } else {
                from.pending += step.amount;
                pendings.push({
                  id: (outcome as { id: bigint }).id,
                  from,
                  to,
                  amount: step.amount,
                  open: true,
                });
              }
            } else if (step.kind === "post" || step.kind === "void") {
              const target = pendings[step.pending % Math.max(pendings.length, 1)];
              if (!target) continue;
              const amount =
                step.kind === "post" && step.part !== null
                  ? BigInt(Math.floor(Number(target.amount) * step.part))
                  : undefined;
              const op: LedgerOp =
                step.kind === "post"
                  ? {
                      kind: "post",
                      key: `${tag}:${n}`,
                      pendingId: target.id,
                      ...(amount !== undefined ? { amountAtoms: amount } : {}),
                    }
                  : { kind: "void", key: `${tag}:${n}`, pendingId: target.id };
              const outcome = await attempt(op).then(
                (records) => records[0]!,
                (error: { code?: string }) => error,
              );
              if (amount !== undefined && (amount <= 0n || amount > target.amount)) {
                expect((outcome as { code?: string }).code).toBe("invalid_transfer");
                continue;
              }
              if (!target.open) {
                expect((outcome as { code?: string }).code).toBe("pending_resolved");
                continue;
              }
              expect(outcome).toMatchObject({ replayed: false });
              target.open = false;
              target.from.pending -= target.amount;
              if (step.kind === "post") {
                const posted = amount ?? target.amount;
                target.from.balance -= posted;
                target.to.balance += posted;
              }
              // Replaying the resolution returns it and changes nothing.
              await expect(attempt(op)).resolves.toMatchObject([{ replayed: true }]);
            } else if (step.kind === "bad") {
              const user = model[0]![1]!;
              const world = model[0]![0]!;
              const base = {
                kind: "transfer" as const,
                key: `${tag}:${n}`,
                debit: world.key,
                credit: user.key,
                token: "USDC",
                amountAtoms: 5n,
                code: "test.bad",
              };
              const op =
                step.variant === "zero"
                  ? { ...base, amountAtoms: 0n }
                  : step.variant === "negative"
                    ? { ...base, amountAtoms: -5n }
                    : step.variant === "same-account"
                      ? { ...base, credit: world.key }
                      : { ...base, token: "NOPE", debit: { ...world.key, token: "NOPE" } };
              await expect(attempt(op)).rejects.toMatchObject({
                code: expect.stringMatching(/invalid_amount|invalid_transfer|unknown_token/),
              });
            }
          }

          for (const account of model.flat()) {
            const actual = await ledger.balance(db.prisma, account.key);
            expect({ balance: actual.balanceAtoms, pending: actual.pendingAtoms }).toEqual({
              balance: account.balance,
              pending: account.pending,
            });
            if (!account.mayGoNegative) expect(actual.availableAtoms >= 0n).toBe(true);
          }
          for (const token of model) expect(token.reduce((sum, a) => sum + a.balance, 0n)).toBe(0n);
          const report = await auditLedger(db);
          expect(report.problems).toEqual([]);
          for (const total of report.tokens) expect(total.sumAtoms).toBe(0n);
        },
      ),
      { numRuns: kind === "postgres" ? 15 : 40 },
    );
  });
});
