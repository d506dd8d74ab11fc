// The helpers every command shares: the request base and the paging wording.
import { describe, expect, it } from "vitest";
import { type Ctx, NOTHING_FURTHER_BACK, PAGE_SIZE, paging, requestOf } from "#commands/_kit.ts";

const ctxOnPage = (page: number) =>
  ({
    actor: { userId: 7, platform: "console", platformUserId: "ann", displayName: "ann" },
    key: "console:42",
    now: new Date("2026-11-23T10:50:00Z"),
    page,
  }) as unknown as Ctx;

describe("requestOf", () => {
  it("carries the actor, the event's key and the bot's time, nothing else", () => {
    const ctx = ctxOnPage(1);
    expect(requestOf(ctx)).toEqual({ actor: ctx.actor, key: "console:42", now: ctx.now });
  });
});

describe("paging", () => {
  it("asks for the rows of the page shown", () => {
    expect(paging(ctxOnPage(1)).window).toEqual({ limit: PAGE_SIZE, offset: 0 });
    expect(paging(ctxOnPage(3)).window).toEqual({ limit: PAGE_SIZE, offset: 2 * PAGE_SIZE });
    expect(paging(ctxOnPage(2), 5).window).toEqual({ limit: 5, offset: 5 });
  });

  it("says 'nothing further back' past the first page, the command's own words on it", () => {
    expect(paging(ctxOnPage(1)).empty("You have no withdrawals.")).toBe("You have no withdrawals.");
    expect(paging(ctxOnPage(2)).empty("You have no withdrawals.")).toBe(NOTHING_FURTHER_BACK);
    expect(NOTHING_FURTHER_BACK).toBe("There is nothing further back.");
  });

  it("titles the page and counts at least one page", () => {
    expect(paging(ctxOnPage(2)).of(21, "Your history")).toEqual({
      title: "Your history — page 2 of 3",
      page: { current: 2, total: 3 },
    });
    expect(paging(ctxOnPage(1)).of(0, "Your scores")).toEqual({
      title: "Your scores — page 1 of 1",
      page: { current: 1, total: 1 },
    });
  });
});
