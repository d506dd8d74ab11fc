// /link joins one person's accounts across platforms: a code shown on one, entered on the other.
import { beforeAll, expect, it } from "vitest";
import { type App, createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { ManualClock, MINUTE } from "#src/core/clock.ts";
import type { PlatformUser } from "#src/core/context.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

const onDiscord: PlatformUser = {
  platform: "discord",
  id: "81234567890123456",
  username: "dana",
  displayName: "Dana",
};
const onTelegram: PlatformUser = {
  platform: "telegram",
  id: "5551234",
  username: "dana_tg",
  displayName: "Dana T",
};
const otherDiscord: PlatformUser = {
  platform: "discord",
  id: "99999999999999999",
  username: "eve",
  displayName: "Eve",
};
const mod: PlatformUser = { platform: "console", id: "mod", username: "mod", displayName: "mod" };

describeEachDatabase("linking accounts", (getDb) => {
  let app: App;
  const clock = new ManualClock("2026-02-01T00:00:00Z");
  let n = 0;
  const run = (user: PlatformUser, path: string[], options: Record<string, string> = {}) =>
    app.dispatcher.dispatch({ platform: user.platform, eventId: `ev${++n}`, user, path, options });

  beforeAll(async () => {
    app = await createApp(
      loadConfig({ LOG_LEVEL: "silent", MODERATORS: "console:mod,discord:81234567890123456" }),
      getDb(),
      silentLogger,
      clock,
    );
    for (const user of [onDiscord, onTelegram, otherDiscord]) await run(user, ["help"]);
    for (const [target, amount] of [
      [onDiscord, "5"],
      [onTelegram, "7"],
    ] as const) {
      const ref = await app.services.identity.ensureUser(target);
      await app.services.funds.credit({
        actor: {
          userId: 0,
          displayName: "mod",
          isModerator: true,
          platform: "console",
          platformUserId: "mod",
        },
        key: `seed-${target.platform}`,
        userId: ref.userId,
        token: "USDC",
        amountAtoms: BigInt(amount) * 1_000_000n,
        reason: "seed",
      });
    }
  });

  it("refuses wrong, expired, same-platform and self codes, changing nothing", async () => {
    expect((await run(onTelegram, ["link"], { code: "ZZZZ-ZZZZ" })).code).toBe("invalid_link_code");
    const shown = await run(onDiscord, ["link"]);
    const code = (shown.reply.data as { code: string }).code;
    expect(shown.reply.personal).toBe(true);
    expect((await run(onDiscord, ["link"], { code })).code).toBe("already_linked");
    expect((await run(otherDiscord, ["link"], { code })).reply.text).toMatch(/Both accounts are on Discord/);
    clock.advance(11 * MINUTE);
    expect((await run(onTelegram, ["link"], { code })).reply.text).toMatch(/expired/);
  });

  it("joins Telegram to Discord: one member, balances together, moderator powers follow", async () => {
    const shown = await run(onDiscord, ["link"]);
    const code = (shown.reply.data as { code: string }).code;
    const linked = await run(onTelegram, ["link"], { code: code.toLowerCase().replace("-", "") });
    expect(linked).toMatchObject({ ok: true });
    expect(linked.reply.text).toMatch(/Discord and Telegram/);
    const fromTelegram = await run(onTelegram, ["balance"]);
    const fromDiscord = await run(onDiscord, ["balance"]);
    expect(fromTelegram.reply.data).toEqual(fromDiscord.reply.data);
    expect(fromTelegram.reply.data).toMatchObject({ balances: [{ token: "USDC", balance: "12" }] });
    // The Discord account is a configured moderator; linked, the Telegram account is one too.
    expect((await run(onTelegram, ["audit"])).code).toBe("ok");
    // The code is single-use.
    expect((await run(otherDiscord, ["link"], { code })).code).toBe("invalid_link_code");
    expect((await auditLedger(getDb())).problems).toEqual([]);
  });

  it("keeps a moderator's console powers out of unrelated accounts", async () => {
    expect((await run(otherDiscord, ["audit"])).code).toBe("forbidden");
    expect((await run(mod, ["audit"])).code).toBe("ok");
  });
});
