/**
 * Parses a duration flag: `500ms`, `2s`, `1.5m`, `1h`; a bare number is seconds.
 * Returns milliseconds, or undefined when the text is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 3_600_000;
  const milliseconds = amount * factor;
  return milliseconds > 0 ? milliseconds : undefined;
}
