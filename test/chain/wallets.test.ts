// Linking wallets through the console, as members type it, with real keypairs signing the bot's
// messages: a correct signature links; another key, a changed message, an expired or used message,
// and a wallet linked elsewhere are refused and change nothing.
import { Keypair } from "@solana/web3.js";
import { expect, it } from "vitest";
import { MINUTE } from "#src/core/clock.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { signText } from "#test/helpers/solana.ts";

interface LinkData {
  address: string;
  message: string;
  expiresAt: string;
}

describeConsole("wallet linking by signature", (get) => {
  const link = async (user: string, wallet: Keypair) => {
    const record = await get().one(`@${user} /wallet link address:${wallet.publicKey.toBase58()}`);
    expect(record.code, record.text).toBe("ok");
    return record.data as LinkData;
  };
  const wallets = () =>
    get().app.db.prisma.wallet.findMany({
      orderBy: { address: "asc" },
      select: { address: true, userId: true },
    });

  it("links the wallet whose key signed the message", async () => {
    const wallet = Keypair.generate();
    const challenge = await link("alice", wallet);
    expect(challenge.message).toContain("Account: alice");
    expect(challenge.message).toContain("Bot: Forgebot");
    const verified = await get().one(
      `@alice /wallet verify signature:${signText(wallet, challenge.message)}`,
    );
    expect([verified.code, verified.data]).toEqual([
      "ok",
      { address: wallet.publicKey.toBase58(), replaced: null },
    ]);
    const shown = await get().one("@alice /wallet show");
    expect(shown.text).toContain(wallet.publicKey.toBase58());
    // Off chain, every wallet reply says so, and how balances move instead.
    expect(shown.text).toContain("/admin credit");
  });

  it("refuses another key, a changed message, and a used message, changing nothing", async () => {
    const wallet = Keypair.generate();
    const challenge = await link("bob", wallet);
    const before = await wallets();
    const wrongKey = await get().one(
      `@bob /wallet verify signature:${signText(Keypair.generate(), challenge.message)}`,
    );
    expect(wrongKey.code).toBe("invalid_signature");
    const changed = challenge.message.replace("Account: bob", "Account: mallory");
    const tampered = await get().one(`@bob /wallet verify signature:${signText(wallet, changed)}`);
    expect(tampered.code).toBe("invalid_signature");
    expect(await wallets()).toEqual(before);

    const signature = signText(wallet, challenge.message);
    expect((await get().one(`@bob /wallet verify signature:${signature}`)).code).toBe("ok");
    await get().one("@bob /wallet unlink");
    const reused = await get().one(`@bob /wallet verify signature:${signature}`);
    expect(reused.code).toBe("link_message_used");
    expect((await wallets()).some((w) => w.address === wallet.publicKey.toBase58())).toBe(false);
  });

  it("refuses a message signed after it expired", async () => {
    const wallet = Keypair.generate();
    const challenge = await link("carol", wallet);
    get().clock.advance(10 * MINUTE);
    const late = await get().one(`@carol /wallet verify signature:${signText(wallet, challenge.message)}`);
    expect(late.code).toBe("link_message_expired");
    expect((await get().one("@carol /wallet show")).data).toEqual({ wallet: null });
  });

  it("refuses a wallet linked to another account, when asked and when verified", async () => {
    const wallet = Keypair.generate();
    // Erin asks first, Dave links it, then Erin's (valid) signature comes in: refused all the same.
    const erinChallenge = await link("erin", wallet);
    const daveChallenge = await link("dave", wallet);
    expect(
      (await get().one(`@dave /wallet verify signature:${signText(wallet, daveChallenge.message)}`)).code,
    ).toBe("ok");
    const before = await wallets();
    const asked = await get().one(`@erin /wallet link address:${wallet.publicKey.toBase58()}`);
    expect(asked.code).toBe("wallet_taken");
    const late = await get().one(`@erin /wallet verify signature:${signText(wallet, erinChallenge.message)}`);
    expect(late.code).toBe("wallet_taken");
    expect(await wallets()).toEqual(before);
  });

  it("replaces a member's wallet when they link another, and unlinks", async () => {
    const first = Keypair.generate();
    const second = Keypair.generate();
    const a = await link("frank", first);
    await get().one(`@frank /wallet verify signature:${signText(first, a.message)}`);
    const b = await link("frank", second);
    const replaced = await get().one(`@frank /wallet verify signature:${signText(second, b.message)}`);
    expect(replaced.data).toEqual({
      address: second.publicKey.toBase58(),
      replaced: first.publicKey.toBase58(),
    });
    const unlinked = await get().one("@frank /wallet unlink");
    expect(unlinked.data).toEqual({ address: second.publicKey.toBase58() });
    expect((await get().one("@frank /wallet unlink")).code).toBe("no_wallet");
  });

  it("moves the wallet to the member who remains when /link joins two accounts", async () => {
    const { app } = get();
    const wallet = Keypair.generate();
    const challenge = await link("hana", wallet);
    await get().one(`@hana /wallet verify signature:${signText(wallet, challenge.message)}`);
    const onDiscord = await app.services.identity.ensureUser({
      platform: "discord",
      id: "5551",
      displayName: "Hana",
    });
    const { code } = await app.db.transaction((tx) =>
      app.services.identity.createLinkCode(tx, onDiscord.userId, "discord", get().clock.now()),
    );
    expect((await get().one(`@hana /link code:${code}`)).code).toBe("ok");
    expect(
      await app.db.prisma.wallet.findUnique({ where: { address: wallet.publicKey.toBase58() } }),
    ).toMatchObject({
      userId: onDiscord.userId,
    });
    expect((await get().one("@hana /wallet show")).text).toContain(wallet.publicKey.toBase58());
  });

  it("answers nonsense clearly", async () => {
    const records = await get().run(`
      @gina /wallet verify signature:${"1".repeat(64)}
      @gina /wallet link address:not-an-address-at-all-not-an-address
      @gina /wallet verify signature:short
    `);
    expect(records.map((r) => r.code)).toEqual(["no_link_request", "invalid_address", "invalid_option"]);
  });
});
