// Daily at 00:00 UTC by default: the arena's epoch. Snapshot, rewards, payment and the release of
// withdrawn stakes, each step idempotent under the run's key (see emission.ts). A run stopped by its
// timeout ends between two payment batches; the retry pays the rest.

import { countOf } from "#src/core/counts.ts";
import { defineJob } from "#src/job-kit.ts";
import { formatMoney } from "#src/ledger/amount.ts";

export const arenaEmissionJob = defineJob({
  name: "arena-emission",
  description: "Shares the arena's emission among nodes, validators and their delegators",
  defaultSchedule: "0 0 * * *",
  defaultTimeoutSeconds: 2 * 3600,
  async run(ctx) {
    const { key, period, now, signal } = ctx;
    const report = await ctx.services.arena.runEpoch({ key, period, now, signal });
    const token = ctx.services.tokens.get(report.token);
    const kept =
      report.undistributedAtoms > 0n
        ? ` ${formatMoney(report.undistributedAtoms, token)} had no one to receive it and stays in the emission.`
        : "";
    return {
      summary:
        `Arena epoch ${report.periodKey}: ${formatMoney(report.distributedAtoms, token)} of ${formatMoney(report.emissionAtoms, token)} ` +
        `to ${countOf(report.payees, "payee")} across ${countOf(report.tasks, "task")}.${kept}` +
        (report.released > 0 ? ` ${countOf(report.released, "withdrawn stake")} returned.` : ""),
      data: {
        epochId: report.epochId,
        token: report.token,
        emissionAtoms: report.emissionAtoms.toString(),
        distributedAtoms: report.distributedAtoms.toString(),
        undistributedAtoms: report.undistributedAtoms.toString(),
        payees: report.payees,
        paidNow: report.paidNow,
        released: report.released,
      },
    };
  },
});
