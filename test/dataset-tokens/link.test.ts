// /link and dataset tokens: a member who burned for a dataset on the console and links it to their
// Telegram account keeps the download access (and their tokens) on the account kept.
import { expect, it } from "vitest";
import type { PlatformUser } from "#src/core/context.ts";
import { hasBurnAccess } from "#src/dataset-tokens/access.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { credit, factoryWithDataset } from "./harness.ts";

const annOnTelegram: PlatformUser = {
  platform: "telegram",
  id: "8001",
  username: "ann_tg",
  displayName: "ann",
};

describeConsole(
  "/link keeps dataset burns",
  (get) => {
    it("moves the burn and the tokens to the account kept", async () => {
      const h = get();
      const factory = await factoryWithDataset(h, "cora", 2);
      await credit(h, "cora", "500");
      await credit(h, "cora", "0.05", "SOL");
      await h.one(`@cora /dataset launch factory:${factory} symbol:LINKED`);
      await h.one("@cora /confirm");
      await credit(h, "ann", "2");
      await h.one("@ann /dataset buy symbol:LINKED amount:2");
      expect((await h.one("@ann /confirm")).code).toBe("ok");
      await h.one(`@ann /dataset burn factory:${factory}`);
      expect((await h.one("@ann /confirm")).code).toBe("ok");
      const consoleAnn = (
        await h.app.db.prisma.platformAccount.findFirstOrThrow({ where: { username: "ann" } })
      ).userId;
      const left = (await h.app.services.ledger.balance(h.app.db.prisma, accounts.user(consoleAnn, "LINKED")))
        .balanceAtoms;
      expect(left).toBeGreaterThan(0n);

      const shown = await h.app.dispatcher.dispatch({
        platform: "telegram",
        eventId: "tg-link-1",
        user: annOnTelegram,
        path: ["link"],
        options: {},
      });
      const code = (shown.reply.data as { code: string }).code;
      expect((await h.one(`@ann /link code:${code}`)).code).toBe("ok");
      const telegramAnn = (
        await h.app.db.prisma.platformAccount.findFirstOrThrow({
          where: { platform: "telegram", platformUserId: "8001" },
        })
      ).userId;
      expect(telegramAnn).not.toBe(consoleAnn);
      expect(await hasBurnAccess(h.app.db.prisma, telegramAnn, factory)).toBe(true);
      expect(await h.app.db.prisma.datasetBurn.count({ where: { userId: consoleAnn } })).toBe(0);
      expect(
        (await h.app.services.ledger.balance(h.app.db.prisma, accounts.user(telegramAnn, "LINKED")))
          .balanceAtoms,
      ).toBe(left);
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    }, 180_000);
  },
  {
    moderators: ["mod"],
    env: { QUALITY_THRESHOLD: "0", DATASET_CURVE_CLONES: "1", DATASET_MIN_DEMONSTRATIONS: "2" },
  },
);
