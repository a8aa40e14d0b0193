/** The text of anything thrown, for a warning. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
