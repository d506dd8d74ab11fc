// A factory with accepted demonstrations, made the way members make one: the creator funds a pool
// and farmers /submit real recordings, graded by the built-in rubric and settled.

import { writeDemo } from "#test/economy/demo-files.ts";
import type { ConsoleHarness } from "#test/helpers/console.ts";

let recording = 0;

/** Factory `creator` creates (its number is returned) with `demonstrations` accepted ones. */
export async function factoryWithDataset(
  h: ConsoleHarness,
  creator: string,
  demonstrations: number,
): Promise<number> {
  await credit(h, creator, "1000", "USDC");
  await h.run(`
    @${creator} /factory create name:"Carts ${creator}" token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart; Ensure smooth transition between selection and checkout; Test functionality thoroughly" ref:task_2
  `);
  const factories = await h.app.db.prisma.factory.findMany({ orderBy: { id: "desc" }, take: 1 });
  const factoryId = factories[0]!.id;
  for (const r of await h.run(`
    @${creator} /pool fund factory:${factoryId} amount:100
    @${creator} /confirm
  `))
    if (r.code !== "ok" && r.code !== "confirmation_required")
      throw new Error(`funding refused: ${r.code} ${r.text}`);
  for (let i = 0; i < demonstrations; i++) {
    recording++;
    const files = writeDemo(`ds-${process.pid}-${recording}`, { id: `ds-${process.pid}-${recording}` });
    const r = await h.one(`@farmer${recording} /submit factory:${factoryId} ${files}`);
    if (r.code !== "ok") throw new Error(`submit refused: ${r.code} ${r.text}`);
  }
  await h.app.services.submissions.queue.idle();
  return factoryId;
}

/** Credits CLONES (and SOL) from a moderator, through the console. */
export async function credit(
  h: ConsoleHarness,
  user: string,
  amount: string,
  token = "CLONES",
): Promise<void> {
  await h.one(`@${user} /balance`); // the bot meets the member before a moderator can name them
  const r = await h.one(`@mod /admin credit user:@${user} amount:${amount} token:${token} reason:grant`);
  if (r.code !== "ok") throw new Error(`credit refused: ${r.code} ${r.text}`);
}
