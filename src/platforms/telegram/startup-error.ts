// Start-up could not reach the Bot API or was refused by it: main.ts prints the message alone. In
// its own file so main.ts can recognize it without loading grammY.
export class TelegramStartupError extends Error {
  override name = "TelegramStartupError";
}
