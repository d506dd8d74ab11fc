// Burn-to-download (docs/economy.md sections 10.1 and 10.4) across the two features: a member who
// burned the token's threshold downloads the dataset's package; one who holds the token but has not
// burned is refused and told how; the creator needs no burn.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { describeConsole } from "#test/helpers/console.ts";
import { credit, factoryWithDataset } from "./harness.ts";

describeConsole(
  "burn-to-download opens the dataset",
  (get) => {
    it("refuses a holder who has not burned, serves one who has, and the creator without a burn", async () => {
      const h = get();
      const factory = await factoryWithDataset(h, "cora", 10);
      await credit(h, "cora", "500");
      await credit(h, "cora", "0.05", "SOL");
      await credit(h, "ann", "1000");
      await credit(h, "ben", "1000");
      await h.one(`@cora /dataset launch factory:${factory} symbol:CARTS threshold:100`);
      expect((await h.one("@cora /confirm")).code).toBe("ok");
      const exported = await h.one(`@cora /dataset export factory:${factory}`);
      expect(exported.code).toBe("ok");

      for (const member of ["ann", "ben"]) {
        await h.one(`@${member} /dataset buy symbol:CARTS amount:1000`);
        expect((await h.one(`@${member} /confirm`)).code).toBe("ok");
      }

      // Holding the token is not enough: the refusal names the way in, and records no download.
      const refused = await h.one(`@ann /dataset download factory:${factory}`);
      expect(refused.code).toBe("not_allowed");
      expect(refused.text).toContain(`/dataset burn factory:${factory}`);
      expect(await h.app.db.prisma.datasetDownload.count()).toBe(0);

      await h.one(`@ben /dataset burn factory:${factory}`);
      expect((await h.one("@ben /confirm")).code).toBe("ok");
      const served = await h.one(`@ben /dataset download factory:${factory}`);
      expect(served.code).toBe("ok");
      const path = (served.data as { path: string }).path;
      expect(existsSync(path)).toBe(true);
      // The file is the exported package, byte for byte.
      const version = await h.app.db.prisma.datasetVersion.findFirstOrThrow({
        where: { factoryId: factory },
      });
      expect(createHash("sha256").update(readFileSync(path)).digest("hex")).toBe(version.sha256);

      // The creator needs no burn; ann still may not.
      expect((await h.one(`@cora /dataset download factory:${factory}`)).code).toBe("ok");
      expect((await h.one(`@ann /dataset download factory:${factory}`)).code).toBe("not_allowed");
      expect(await h.app.db.prisma.datasetDownload.count()).toBe(2);
    }, 300_000);
  },
  { moderators: ["mod"], env: { QUALITY_THRESHOLD: "0" } },
);
