// /dataset: dataset tokens (docs/economy.md section 10). This file composes the token
// subcommands (tokens.ts, market.ts) and the bundle group (bundles.ts); the dataset export and
// download subcommands live beside them in their own files. Keep this a plain list: Discord allows
// 25 subcommands and groups per command.
import { commandGroup } from "../_kit.ts";
import { bundleGroup } from "./bundles.ts";
import { market, price } from "./market.ts";
import { burn, buy, launch, quote, sell } from "./tokens.ts";

export default commandGroup({
  name: "dataset",
  description: "Datasets and their tokens: launch, trade, burn to download, bundles",
  category: "Factories",
  subcommands: { launch, quote, buy, sell, burn, market, price },
  groups: { bundle: bundleGroup },
});
