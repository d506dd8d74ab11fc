// A mistyped command or subcommand is answered with the closest names, through the registry every
// front end resolves commands with.
import { describe, expect, it } from "vitest";
import { COMMANDS_DIR } from "#src/app.ts";
import { closestNames, editDistance } from "#src/core/did-you-mean.ts";
import { isUserError } from "#src/core/errors.ts";
import { CommandRegistry, loadCommandModules } from "#src/core/registry.ts";

const registry = new CommandRegistry(await loadCommandModules(COMMANDS_DIR));
const refusal = (path: string[]) => {
  try {
    registry.resolve(path);
  } catch (error) {
    if (isUserError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error(`/${path.join(" ")} resolved`);
};

describe("did you mean", () => {
  it("measures edits, a swap of two neighbours counting one", () => {
    expect(editDistance("leaderbaord", "leaderboard")).toBe(1);
    expect(editDistance("scroes", "scores")).toBe(1);
    expect(editDistance("ban", "balance")).toBe(4);
    expect(closestNames("xyz", ["balance", "bid"])).toEqual([]);
    expect(closestNames("bal", ["balance", "bid", "bids"])).toEqual(["balance"]);
  });

  it("suggests the command meant by a typo", () => {
    expect(refusal(["leaderbaord"])).toEqual({
      code: "unknown_command",
      message: "There is no command /leaderbaord. Did you mean /leaderboard? Type /help to see the commands.",
      details: { didYouMean: ["/leaderboard"] },
    });
    expect(refusal(["scroes"]).message).toContain("Did you mean /scores?");
    expect(refusal(["bis"]).message).toContain("Did you mean /bid or /bids?");
    expect(refusal(["qqqqqq"]).message).toBe("There is no command /qqqqqq. Type /help to see the commands.");
  });

  it("suggests the subcommand meant, at any depth", () => {
    expect(refusal(["leaderboard", "farmer"]).message).toBe(
      "/leaderboard farmer does not exist. Did you mean /leaderboard farmers?",
    );
    expect(refusal(["arena", "tsak", "list"]).message).toBe(
      "/arena tsak list does not exist. Did you mean /arena task?",
    );
    expect(refusal(["arena", "task", "lsit"]).message).toBe(
      "/arena task lsit does not exist. Did you mean /arena task list?",
    );
    expect(refusal(["admin", "zzzzzz"]).message).toBe(
      "/admin zzzzzz does not exist. Try /admin credit, /admin debit, /admin leaderboard, /admin epoch, /admin reviewer, /admin bundle.",
    );
  });
});
