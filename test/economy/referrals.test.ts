// Referral codes and attribution through the console, as members type them: every refusal rule
// says why and changes nothing; an accepted referral is recorded once and for good.
import { expect, it } from "vitest";
import { describeConsole } from "#test/helpers/console.ts";
import { fundPool, member, submitAndSettle } from "./ambassador-harness.ts";

const codeOf = (record: { data?: unknown }) => (record.data as { code: string }).code;

describeConsole(
  "referral codes and attribution",
  (get) => {
    const referralCount = () => get().app.services.db.prisma.referral.count();

    /** Runs a line expected to be refused; checks the code and that no referral was recorded. */
    async function refused(line: string, code: string) {
      const before = await referralCount();
      const record = await get().one(line);
      expect(record.ok, record.text).toBe(false);
      expect(record.code).toBe(code);
      expect(await referralCount()).toBe(before);
      return record.text;
    }

    it("gives each member one stable, unguessable code and a ready-to-post message", async () => {
      const first = await get().one("@amb /referral link");
      const again = await get().one("@amb /referral link");
      const other = await get().one("@amb2 /referral link");
      expect(codeOf(first)).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
      expect(codeOf(again)).toBe(codeOf(first));
      expect(codeOf(other)).not.toBe(codeOf(first));
      expect(first.text).toContain(`/referral use code:${codeOf(first)}`);
      expect((first.data as { url: string | null }).url).toBe(
        `https://example.org/join?ref=${codeOf(first)}`,
      );
      expect((first.data as { telegram: string }).telegram).toBe(
        `https://t.me/forge_test_bot?start=ref_${codeOf(first)}`,
      );
    });

    it("records a referral once, forgiving case, dashes and the ref_ prefix", async () => {
      const code = codeOf(await get().one("@amb /referral link"));
      const typed = `ref_${code.slice(0, 6).toLowerCase()}-${code.slice(6)}`;
      const ok = await get().one(`@newbie /referral use code:${typed}`);
      expect(ok.code).toBe("ok");
      expect(ok.text).toContain("referred by amb");
      const text = await refused(`@newbie /referral use code:${code}`, "already_referred");
      expect(text).toMatch(/already referred by amb .*cannot be changed/);
      const other = codeOf(await get().one("@amb2 /referral link"));
      await refused(`@newbie /referral use code:${other}`, "already_referred");
    });

    it("refuses malformed and unknown codes", async () => {
      expect(await refused("@x1 /referral use code:NOPE", "invalid_referral_code")).toContain(
        "12 letters and digits",
      );
      expect(await refused("@x1 /referral use code:ZZZZZZZZZZZZ", "unknown_referral_code")).toContain(
        "Check it with the person",
      );
    });

    it("refuses one's own code", async () => {
      const code = codeOf(await get().one("@selfish /referral link"));
      expect(await refused(`@selfish /referral use code:${code}`, "self_referral")).toContain("your own");
    });

    it("refuses a referrer who used the same wallet (linked now or before)", async () => {
      const { services } = get().app;
      const walletOwner = await member(services, "w_amb");
      const other = await member(services, "w_alt");
      const address = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
      // w_amb proved the wallet once (a used link message), then unlinked; w_alt links it now.
      await services.db.prisma.walletChallenge.create({
        data: {
          nonce: "n-shared",
          userId: walletOwner.userId,
          address,
          message: "link",
          createdAt: services.clock.now(),
          expiresAt: services.clock.now(),
          usedAt: services.clock.now(),
        },
      });
      await services.db.prisma.wallet.create({
        data: { address, userId: other.userId, linkedAt: services.clock.now() },
      });
      const code = codeOf(await get().one("@w_amb /referral link"));
      expect(await refused(`@w_alt /referral use code:${code}`, "same_wallet")).toContain(address);
    });

    it("refuses cycles, direct and through others", async () => {
      const a = codeOf(await get().one("@cyc_a /referral link"));
      const b = codeOf(await get().one("@cyc_b /referral link"));
      const c = codeOf(await get().one("@cyc_c /referral link"));
      expect((await get().one(`@cyc_b /referral use code:${a}`)).code).toBe("ok"); // a -> b
      expect(await refused(`@cyc_a /referral use code:${b}`, "referral_cycle")).toContain("circle");
      expect((await get().one(`@cyc_c /referral use code:${b}`)).code).toBe("ok"); // a -> b -> c
      expect(await refused(`@cyc_a /referral use code:${c}`, "referral_cycle")).toContain("referred");
    });

    it("refuses after the member's first pool funding, or first submission", async () => {
      const { services } = get().app;
      const code = codeOf(await get().one("@late_amb /referral link"));
      const creator = await member(services, "late_creator");
      const poolId = await fundPool(services, creator, "USDC", 1_000_000n);
      expect(await refused(`@late_creator /referral use code:${code}`, "referral_too_late")).toContain(
        "before your first pool funding or submission",
      );
      const farmer = await member(services, "late_farmer");
      // A submission reserves pool money (the farmer's accounts are not touched; the meta names them).
      await submitAndSettle(services, {
        poolId,
        creator,
        farmer,
        token: "USDC",
        bidAtoms: 1000n,
        quality: 30,
      });
      await refused(`@late_farmer /referral use code:${code}`, "referral_too_late");
    });

    it("caps new referrals per ambassador per UTC day, and opens again the next day", async () => {
      const code = codeOf(await get().one("@busy /referral link"));
      expect((await get().one(`@cap1 /referral use code:${code}`)).code).toBe("ok");
      expect((await get().one(`@cap2 /referral use code:${code}`)).code).toBe("ok");
      expect(await refused(`@cap3 /referral use code:${code}`, "referral_cap")).toContain(
        "today's limit of 2 new referrals",
      );
      get().clock.advance(24 * 3600 * 1000);
      expect((await get().one(`@cap3 /referral use code:${code}`)).code).toBe("ok");
    });

    it("/referral stats lists referred members and their activity", async () => {
      const stats = await get().one("@busy /referral stats");
      expect(stats.code).toBe("ok");
      const data = stats.data as { referred: Array<{ name: string; activity: number }>; tier: number };
      expect(data.referred.map((r) => r.name)).toEqual(["cap1", "cap2", "cap3"]);
      expect(data.tier).toBe(0);
      expect(stats.text).toContain("stake CLONES with /stake add");
    });
  },
  {
    kinds: ["pglite"],
    env: {
      REFERRAL_DAILY_CAP: "2",
      REFERRAL_LINK_BASE: "https://example.org/join",
      TELEGRAM_BOT_USERNAME: "forge_test_bot",
    },
  },
);
