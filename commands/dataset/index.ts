// /dataset: a factory's paid demonstrations as packages (docs/datasets.md) and the dataset tokens
// built on them (docs/dataset-tokens.md). One file per subcommand or family of them; keep this a
// plain list: Discord allows 25 subcommands and groups per command.
import { commandGroup } from "../_kit.ts";
import { bundleGroup } from "./bundles.ts";
import { download } from "./download.ts";
import { exportDataset } from "./export.ts";
import { info } from "./info.ts";
import { market, price } from "./market.ts";
import { mine } from "./mine.ts";
import { burn, buy, launch, quote, sell } from "./tokens.ts";

export default commandGroup({
  name: "dataset",
  description: "Datasets: export, see, download; their tokens: launch, trade, burn to download, bundles",
  category: "Factories",
  subcommands: { export: exportDataset, info, download, mine, launch, quote, buy, sell, burn, market, price },
  groups: { bundle: bundleGroup },
});
