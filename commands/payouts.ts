import { command } from "./_kit.ts";
import { submissionsPage } from "./scores.ts";

export default command({
  name: "payouts",
  description: "What each of your demonstrations paid",
  category: "Factories",
  personal: true,
  handler: (ctx) => submissionsPage(ctx, "payouts"),
});
