import { UsageError } from './usage-error.js';

const metadataKeyPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The values of `--metadata key=value` (repeatable) as the job's metadata. The value is everything
 * after the first `=`: it may be empty and may hold more `=`.
 *
 * @throws UsageError naming the argument when it has no `=` or its key is not 1 to 64 letters,
 * digits, `_`, `.` or `-`, and naming the key when it is given twice.
 * @example
 * parseMetadataArguments(['team=risk', 'query=a=b'], 'run'); // { team: 'risk', query: 'a=b' }
 */
export function parseMetadataArguments(values: readonly string[], command: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  const argumentByKey = new Map<string, string>();
  for (const argument of values) {
    const separator = argument.indexOf('=');
    if (separator === -1) {
      throw new UsageError(`--metadata must be key=value; got ${JSON.stringify(argument)}`, command);
    }
    const key = argument.slice(0, separator);
    if (!metadataKeyPattern.test(key)) {
      throw new UsageError(
        `--metadata ${JSON.stringify(argument)}: the key must be 1 to 64 letters, digits, "_", "." or "-"; got ${JSON.stringify(key)}`,
        command,
      );
    }
    const earlier = argumentByKey.get(key);
    if (earlier !== undefined) {
      throw new UsageError(`--metadata key ${JSON.stringify(key)} is given twice (${JSON.stringify(earlier)} and ${JSON.stringify(argument)})`, command);
    }
    argumentByKey.set(key, argument);
    metadata[key] = argument.slice(separator + 1);
  }
  return metadata;
}
