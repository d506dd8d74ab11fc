// Seeds what the leaderboards read: users, and ledger transfers with the codes and meta that pools,
// ambassadors and the arena write, back-dated to chosen moments (the database stamps transfers with
// its own clock, so the seed moves created_at afterwards; that is the only thing written directly).
import type { Database } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { JsonObject, Ledger } from "#src/ledger/ledger.ts";

export class LedgerSeed {
  #n = 0;

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
  ) {}

  async user(displayName: string): Promise<number> {
    const user = await this.db.prisma.user.create({ data: { displayName, createdAt: this.db.clock.now() } });
    return user.id;
  }

  /** Money from outside into a user's account, as pools/ambassadors/arena would pay it. */
  async pay(
    userId: number,
    code: string,
    amountAtoms: bigint,
    at: string,
    options: { token?: string; meta?: JsonObject } = {},
  ): Promise<void> {
    const token = options.token ?? "USDC";
    await this.transfer({
      debit: accounts.system(`seed.${code}`, token, true),
      credit: accounts.user(userId, token),
      token,
      code,
      amountAtoms,
      at,
      ...(options.meta ? { meta: options.meta } : {}),
    });
  }

  /** A creator funding a factory's pool (`pool.fund`). */
  async fund(factoryId: number, amountAtoms: bigint, at: string, token = "USDC"): Promise<void> {
    await this.transfer({
      debit: accounts.system("seed.creator", token, true),
      credit: accounts.pool(factoryId, token),
      token,
      code: "pool.fund",
      amountAtoms,
      at,
      meta: { factoryId },
    });
  }

  /** A payout reserved first and posted later (code `<code>.post`, meta on the reservation). */
  async reserveThenPost(userId: number, code: string, amountAtoms: bigint, at: string, meta: JsonObject) {
    const key = `seed:${this.#n++}`;
    await this.db.transaction(async (tx) => {
      const debit = accounts.system(`seed.${code}`, "USDC", true);
      const pending = await this.ledger.reserve(tx, {
        key,
        debit,
        credit: accounts.user(userId, "USDC"),
        token: "USDC",
        amountAtoms,
        code,
        meta,
      });
      await this.ledger.post(tx, { key: `${key}:post`, pendingId: pending.id });
    });
    await this.backdate([key, `${key}:post`], at);
  }

  private async transfer(op: {
    debit: ReturnType<typeof accounts.system>;
    credit: ReturnType<typeof accounts.user>;
    token: string;
    code: string;
    amountAtoms: bigint;
    at: string;
    meta?: JsonObject;
  }): Promise<void> {
    const key = `seed:${this.#n++}`;
    const { at, ...rest } = op;
    await this.db.transaction((tx) => this.ledger.transfer(tx, { key, ...rest }));
    await this.backdate([key], at);
  }

  private async backdate(keys: string[], at: string): Promise<void> {
    await this.db.prisma.$executeRawUnsafe(
      "UPDATE transfers SET created_at = $1::timestamptz WHERE key = ANY($2::text[])",
      new Date(at),
      keys,
    );
  }
}
