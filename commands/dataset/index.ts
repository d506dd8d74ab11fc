// /dataset: a factory's paid demonstrations as packages (docs/datasets.md). One file per subcommand;
// add new ones to the list below.
import { commandGroup } from "../_kit.ts";
import { download } from "./download.ts";
import { exportDataset } from "./export.ts";
import { info } from "./info.ts";
import { mine } from "./mine.ts";

export default commandGroup({
  name: "dataset",
  description: "A factory's dataset: export it, see it, download it; your recordings in datasets",
  category: "Factories",
  subcommands: { export: exportDataset, info, download, mine },
});
