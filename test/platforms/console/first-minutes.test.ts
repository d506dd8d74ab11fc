// The console's first minutes, as someone trying the bot with plain `npm start` meets them: a
// refused moderator command says how to become one; /help is short and /help submit explains one
// command (as /help command:submit does); a moderator credits a member by name before that member
// has typed anything, and the member is told.
import { expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";

describeConsole(
  "the console's first minutes",
  (get) => {
    it("says how to become a moderator when a moderator command is refused", async () => {
      const refused = await get().one("@you /admin credit user:@bob amount:5 token:USDC reason:grant");
      expect(refused.code).toBe("forbidden");
      expect(refused.text).toBe(
        "Only moderators can use /admin credit. On the console, name the moderators when you start it: " +
          "npm start -- --moderators you (or MODERATORS=console:you in .env).",
      );
    });

    it("keeps /help short, by category, and explains one command with /help submit", async () => {
      const h = get();
      const list = await h.one("@you /help");
      expect(list.code).toBe("ok");
      const lines = list.text.split("\n");
      expect(lines.length).toBeLessThanOrEqual(12);
      expect(lines.slice(0, 2)).toEqual(["Forgebot commands", "General: /epoch /help /link"]);
      expect(list.text).not.toContain("Moderators");
      expect(list.text).toContain("/help submit");

      const byWord = await h.one("@you /help submit");
      const byOption = await h.one("@you /help command:submit");
      expect(byWord.code).toBe("ok");
      expect(byWord.text).toBe(byOption.text);
      expect(byWord.text).toMatch(/^Help: \/submit\n\/submit factory:1 file:file:\.\/demo\.zip/);
      expect((await h.one("@you /help leaderboard farmers")).text).toMatch(/\n\/leaderboard farmers /);
    });

    it("lists the moderators' commands for moderators, once each, and /epoch status for everyone", async () => {
      const h = get();
      const list = await h.one("@mod /help");
      const moderators = list.text.split("\n").find((l) => l.startsWith("Moderators"));
      expect(moderators).toBe("Moderators: /admin /audit");
      expect(list.text.split("\n").find((l) => l.startsWith("General"))).toContain("/epoch");
      const admin = await h.one("@mod /help admin");
      expect(admin.text).not.toContain("(moderators) (moderators)");
      expect(admin.text.match(/\(moderators\)/g)?.length).toBe(
        (admin.data as { commands: unknown[] }).commands.length,
      );
      expect(admin.text).toContain("/admin leaderboard post");
      expect(admin.text).toContain("/admin epoch run");
      const epoch = await h.one("@bob /help epoch");
      expect(epoch.text).not.toContain("(moderators)");
      expect((await h.one("@bob /epoch status")).code).toBe("ok");
    });

    it("lets a moderator credit a member by name before they have typed anything, and tells them", async () => {
      const h = get();
      const credit = await h.one('@mod /admin credit user:@newcomer amount:5 token:USDC reason:"welcome"');
      expect(credit.code).toBe("ok");
      expect(credit.data).toMatchObject({ balance: "5" });
      expect(h.notices.at(-1)).toMatchObject({
        to: "to @newcomer",
        text: expect.stringContaining("A moderator added 5 USDC to your balance (reason: welcome)"),
      });
      const balance = await h.one("@newcomer /balance");
      expect(balance.data).toMatchObject({ balances: [{ token: "USDC", balance: "5" }] });
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  { moderators: ["mod"] },
);
