// /arena rewards: a member's rewards in an epoch, with how each was computed.
import { Decimal } from "decimal.js";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { decimalString, formatMoney } from "../_format.ts";
import { type Ctx, subcommand } from "../_kit.ts";

/** An exact figure in atoms (decimal text), rounded down to the atom: no float holds money. */
const floorAtoms = (atomsText: string): bigint =>
  BigInt(new Decimal(atomsText).toFixed(0, Decimal.ROUND_DOWN));

/** An exact figure in atoms (decimal text), shown rounded down to the atom. */
function exact(atomsText: string, token: TokenInfo): string {
  return formatMoney(floorAtoms(atomsText), token);
}

/**
 * What a line keeps, as paid: its exact share rounded down, plus the atom(s) the largest-remainder
 * rounding placed on it (docs/economy.md section 1), so the breakdown adds up to what was paid.
 */
export function keptWords(ownAtomsText: string, paidAtoms: bigint, token: TokenInfo): string {
  const floor = floorAtoms(ownAtomsText);
  const rounding = paidAtoms - floor;
  if (rounding <= 0n) return formatMoney(paidAtoms, token);
  return `${formatMoney(paidAtoms, token)} (${formatMoney(floor, token)} rounded down, +${formatMoney(rounding, token)} from rounding)`;
}

export const rewards = subcommand({
  description: "Your rewards in an epoch, with how each was computed",
  personal: true,
  options: {
    epoch: {
      type: "string",
      description: "The epoch, e.g. 2026-11-23 (default: your latest)",
      maxLength: 40,
    },
  },
  async handler(ctx: Ctx, args) {
    const { arena, db, tokens } = ctx.services;
    const found = await arena.rewardsOf(db.prisma, ctx.actor.userId, args.epoch?.trim());
    if (!found || found.lines.length === 0)
      return {
        text: args.epoch
          ? `You earned nothing in epoch ${args.epoch.trim()}.`
          : "You have no arena rewards yet: stake on a task (/arena stake) or delegate (/arena delegate).",
        data: { lines: [] },
      };
    const token = tokens.get(found.epoch.token);
    const taskLines = found.tasks.map(
      (t) =>
        `Task ${t.taskId} earned ${exact(t.taskShare, token)} of the epoch (R0): ${exact(t.nodesShare, token)} to its nodes, ` +
        `${exact(t.validatorsShare, token)} to its validators.`,
    );
    const text = found.lines.map((line) => {
      const money = formatMoney(line.amountAtoms, token);
      const paid = line.paid ? "" : " (being paid)";
      const b = line.breakdown;
      if (!b) return `• Task ${line.taskId}, as a delegator: ${money}${paid}`;
      const quality =
        line.role === "node"
          ? `consensus score ${b.consensusScore ?? "none"}${b.rank ? `, rank ${b.rank}` : ""}, g ${new Decimal(b.quality).toSignificantDigits(6)}`
          : `h ${new Decimal(b.quality).toSignificantDigits(6)}`;
      return (
        `• Task ${line.taskId}, as a ${line.role}: ${money}${paid}\n` +
        `  ${quality}; effective stake ${exact(b.effectiveStake, token)}; share f ${exact(b.share, token)}, ` +
        `you keep ${keptWords(b.own, line.amountAtoms, token)}, your delegators ${exact(b.delegators, token)}`
      );
    });
    const kept =
      found.epoch.undistributedAtoms > 0n
        ? `\n${formatMoney(found.epoch.undistributedAtoms, token)} of this epoch had no one to receive it and stayed in the emission.`
        : "";
    return {
      title: `Arena rewards — epoch ${found.epoch.periodKey}`,
      text: `${[...taskLines, ...text].join("\n")}\nIn all: ${formatMoney(found.totalAtoms, token)} of the epoch's ${formatMoney(found.epoch.emissionAtoms, token)}.${kept}`,
      data: {
        epoch: found.epoch.periodKey,
        token: token.symbol,
        total: decimalString(found.totalAtoms, token),
        tasks: found.tasks,
        lines: found.lines.map((l) => ({
          taskId: l.taskId,
          role: l.role,
          amount: decimalString(l.amountAtoms, token),
          paid: l.paid,
          breakdown: l.breakdown ?? null,
        })),
      },
    };
  },
});
