// /arena stake node|validator, unstake, delegate, undelegate, share: money in and out of a task.
import { Decimal } from "decimal.js";
import { literal } from "#src/core/markup.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { decimalString, formatMoney, formatTime } from "../_format.ts";
import { type Ctx, requestOf, subcommand } from "../_kit.ts";
import { arenaToken, roleOption, taskOption } from "./options.ts";

export function stakeAs(role: "node" | "validator") {
  return subcommand({
    description: role === "node" ? "Stake on a task as a training node" : "Stake on a task as a validator",
    personal: true,
    options: {
      task: taskOption,
      amount: { type: "amount", description: "How much to stake, e.g. 3,000", required: true },
    },
    async handler(ctx: Ctx, args) {
      const token = arenaToken(ctx);
      const amountAtoms = parsePositiveAmount(args.amount, token);
      const result = await ctx.services.arena.stake({
        ...requestOf(ctx),
        taskId: args.task,
        role,
        amountAtoms,
      });
      return {
        title: "Staked",
        text:
          `You staked ${formatMoney(amountAtoms, token)} as a ${role} on task ${args.task} (your stake there: ${formatMoney(result.ownAtoms, token)}). ` +
          `It counts from the next epoch. Your balance: ${formatMoney(result.balanceAtoms, token)}.`,
        tone: "success",
        data: {
          task: args.task,
          role,
          amount: decimalString(amountAtoms, token),
          stake: decimalString(result.ownAtoms, token),
          balance: decimalString(result.balanceAtoms, token),
        },
      };
    },
  });
}

export const unstake = subcommand({
  description: "Withdraw your stake as node or validator from a task",
  personal: true,
  options: { task: taskOption, role: roleOption },
  async handler(ctx: Ctx, args) {
    const token = arenaToken(ctx);
    const { withdrawnAtoms } = await ctx.services.arena.unstake({
      ...requestOf(ctx),
      taskId: args.task,
      role: args.role,
    });
    return {
      title: "Unstaked",
      text:
        `Your ${role(args.role)} stake of ${formatMoney(withdrawnAtoms, token)} on task ${args.task} stops counting at the next epoch; ` +
        "it still earns this epoch and comes back to your balance once this epoch is settled.",
      tone: "success",
      data: { task: args.task, role: args.role, withdrawn: decimalString(withdrawnAtoms, token) },
    };
  },
});

export const delegate = subcommand({
  description: "Delegate stake to a node or validator and share its rewards",
  personal: true,
  options: {
    task: taskOption,
    to: { type: "user", description: "The node or validator", required: true },
    role: roleOption,
    amount: { type: "amount", description: "How much to delegate, e.g. 1,000", required: true },
  },
  async handler(ctx: Ctx, args) {
    const token = arenaToken(ctx);
    const amountAtoms = parsePositiveAmount(args.amount, token);
    const result = await ctx.services.arena.delegate({
      ...requestOf(ctx),
      taskId: args.task,
      role: args.role,
      toUserId: args.to.userId,
      amountAtoms,
    });
    return {
      title: "Delegated",
      text:
        `You delegated ${formatMoney(amountAtoms, token)} to ${literal(args.to.displayName)}'s ${args.role} on task ${args.task} ` +
        `(your delegation there: ${formatMoney(result.delegatedAtoms, token)}). It counts from the next epoch. ` +
        `Your balance: ${formatMoney(result.balanceAtoms, token)}.`,
      tone: "success",
      data: {
        task: args.task,
        role: args.role,
        to: args.to.userId,
        amount: decimalString(amountAtoms, token),
        delegated: decimalString(result.delegatedAtoms, token),
        balance: decimalString(result.balanceAtoms, token),
      },
    };
  },
});

export const undelegate = subcommand({
  description: "Withdraw your delegation from a node or validator",
  personal: true,
  options: {
    task: taskOption,
    to: { type: "user", description: "The node or validator", required: true },
    role: roleOption,
  },
  async handler(ctx: Ctx, args) {
    const token = arenaToken(ctx);
    const { withdrawnAtoms } = await ctx.services.arena.undelegate({
      ...requestOf(ctx),
      taskId: args.task,
      role: args.role,
      toUserId: args.to.userId,
    });
    return {
      title: "Undelegated",
      text:
        `Your delegation of ${formatMoney(withdrawnAtoms, token)} to ${literal(args.to.displayName)} stops counting at the next epoch; ` +
        "it comes back to your balance once this epoch is settled.",
      tone: "success",
      data: {
        task: args.task,
        role: args.role,
        to: args.to.userId,
        withdrawn: decimalString(withdrawnAtoms, token),
      },
    };
  },
});

export const share = subcommand({
  description: "Set the share of your rewards your delegators get (once per 30 days)",
  personal: true,
  options: {
    task: taskOption,
    role: roleOption,
    ratio: {
      type: "decimal",
      description: "From 0 to 1, e.g. 0.6 for 60%",
      required: true,
      minValue: "0",
      maxValue: "1",
    },
  },
  async handler(ctx: Ctx, args) {
    const result = await ctx.services.arena.setShare({
      ...requestOf(ctx),
      taskId: args.task,
      role: args.role,
      ratio: new Decimal(args.ratio.toString()),
    });
    return {
      title: "Sharing ratio set",
      text:
        `Your delegators on task ${args.task} now share ${new Decimal(result.shareRatio).times(100).toString()}% of what your ${role(args.role)} earns ` +
        `in proportion to their part of its stake. You can change it again from ${formatTime(result.nextChangeAt)}.`,
      tone: "success",
      data: {
        task: args.task,
        role: args.role,
        ratio: result.shareRatio,
        nextChangeAt: result.nextChangeAt.toISOString(),
      },
    };
  },
});

const role = (r: string) => (r === "node" ? "node's" : "validator's");
