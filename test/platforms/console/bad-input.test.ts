// Every kind of bad input at the console gets a clear message and changes nothing.
import { beforeAll, expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";

describeConsole(
  "bad input at the console",
  (get) => {
    let bobId = "";
    beforeAll(async () => {
      const records = await get().run(`
        @mod /help
        @bob /help
        @mod /admin credit user:@bob amount:1 token:USDC reason:"seed"
      `);
      expect(records.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
      bobId = String((records[2]!.data as { userId: number }).userId);
    });

    it.each([
      [
        "negative",
        '@mod /admin credit user:@bob amount:-5 token:USDC reason:"x"',
        "invalid_amount",
        /must be positive/,
      ],
      [
        "zero",
        '@mod /admin credit user:@bob amount:0 token:USDC reason:"x"',
        "invalid_amount",
        /more than zero/,
      ],
      [
        "1e999",
        '@mod /admin credit user:@bob amount:1e999 token:USDC reason:"x"',
        "invalid_amount",
        /too large/,
      ],
      [
        "NaN",
        '@mod /admin credit user:@bob amount:NaN token:USDC reason:"x"',
        "invalid_amount",
        /not an amount/,
      ],
      [
        "7 decimals",
        '@mod /admin credit user:@bob amount:0.1234567 token:USDC reason:"x"',
        "invalid_amount",
        /USDC has 6 decimal places/,
      ],
      [
        "text",
        '@mod /admin credit user:@bob amount:lots token:USDC reason:"x"',
        "invalid_amount",
        /not an amount/,
      ],
      [
        "unknown user",
        '@mod /admin credit user:@nobody! amount:5 token:USDC reason:"x"',
        "unknown_user",
        /no member @nobody!/,
      ],
      [
        "unknown token",
        '@mod /admin credit user:@bob amount:5 token:DOGE reason:"x"',
        "unknown_token",
        /no token "DOGE".*Known tokens/,
      ],
      [
        "missing reason",
        "@mod /admin credit user:@bob amount:5 token:USDC",
        "missing_option",
        /reason is required/,
      ],
      [
        "blank reason",
        '@mod /admin credit user:@bob amount:5 token:USDC reason:"   "',
        "missing_option",
        /Give a reason/,
      ],
      [
        "unknown option",
        '@mod /admin credit user:@bob amount:5 token:USDC reason:"x" memo:y',
        "unknown_option",
        /no option "memo"/,
      ],
      [
        "not a moderator",
        '@bob /admin credit user:@bob amount:5 token:USDC reason:"x"',
        "forbidden",
        /Only moderators/,
      ],
      ["not a moderator, audit", "@bob /audit", "forbidden", /Only moderators/],
      [
        "overdraft",
        '@mod /admin debit user:@bob amount:5 token:USDC reason:"x"',
        "insufficient_funds",
        /Insufficient funds: 1 USDC available, 5 USDC needed/,
      ],
      ["unknown command", "@bob /fund pool:1", "unknown_command", /no command \/fund.*\/help/],
      ["missing subcommand", "@mod /admin", "missing_subcommand", /\/admin credit, \/admin debit/],
      ["unclosed quote", '@mod /admin credit reason:"oops', "syntax", /quote is not closed/],
      ["no slash", "@bob balance", "syntax", /start with a slash/],
      ["bad user name", "@b!ob /balance", "syntax", /not a user name/],
    ])("%s", async (_name, line, code, message) => {
      const { run, app } = get();
      const before = await app.services.ledger.balancesOf(app.db.prisma, "user", bobId);
      expect(before.map((a) => a.balanceAtoms)).toEqual([1_000_000n]);
      const [record] = await run(line);
      expect(record).toMatchObject({ ok: false, code });
      expect(record!.text).toMatch(message);
      const after = await app.services.ledger.balancesOf(app.db.prisma, "user", bobId);
      expect(after).toEqual(before);
      expect((await auditLedger(app.db)).problems).toEqual([]);
    });
  },
  { moderators: ["mod"] },
);
