// Every minute: settle the withdrawal batches on their way and send the pending withdrawals.
import { defineJob } from "#src/job-kit.ts";

export const withdrawalsJob = defineJob({
  name: "withdrawals",
  description: "Sends pending withdrawals to members' wallets in batches and settles those sent",
  defaultSchedule: "* * * * *",
  defaultTimeoutSeconds: 5 * 60,
  async run(ctx) {
    const report = await ctx.services.chain.sendWithdrawals(ctx.now, { signal: ctx.signal });
    if (!report)
      return {
        summary: "Solana is not connected, or the bot does not hold the treasury key: nothing to send.",
      };
    return {
      summary:
        `${report.sent} withdrawal(s) sent in ${report.confirmedBatches} batch(es), ${report.refunded} refunded, ` +
        `${report.batched} newly batched, ${report.resent} batch(es) re-sent, ${report.requeued} put back in line.`,
      data: { ...report },
    };
  },
});
