// Splits long text into pieces a platform accepts, at line breaks where it can (a list item stays
// whole), mid-line only when a single line is longer than a piece.
export function splitText(text: string, maxLength: number): string[] {
  if (text.length <= maxLength) return [text];
  const pieces: string[] = [];
  let current = "";
  const flush = () => {
    if (current) pieces.push(current);
    current = "";
  };
  for (const line of text.split("\n")) {
    let rest = line;
    while (rest.length > maxLength) {
      flush();
      pieces.push(rest.slice(0, maxLength));
      rest = rest.slice(maxLength);
    }
    if (current && current.length + 1 + rest.length > maxLength) flush();
    current = current ? `${current}\n${rest}` : rest;
  }
  flush();
  return pieces.length > 0 ? pieces : [""];
}

/** Shortens to `maxLength` characters, ending with an ellipsis when cut. */
export function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
