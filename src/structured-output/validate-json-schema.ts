/** A JSON schema, as a plain object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * Validates a value against a JSON schema and returns the problems (empty when valid), each
 * prefixed with the JSON pointer of the offending value. Covers what structured output uses
 * (the subset OpenAI's strict mode and Anthropic's output formats accept): `type` (incl. type
 * arrays and `nullable`), `enum`, `const`, `properties`, `required`, `additionalProperties`,
 * `items`, `prefixItems`, `anyOf`, `oneOf`, `allOf`, local `$ref` (`#`, `#/$defs/…`,
 * `#/definitions/…`), numeric bounds, `multipleOf`, string length, `pattern`, array length and
 * `uniqueItems`. Other keywords (`format` …) are ignored rather than guessed.
 *
 * @example
 * validateJsonSchema({ age: 'x' }, { type: 'object', properties: { age: { type: 'integer' } } })
 * // ['/age: must be integer, got string']
 */
export function validateJsonSchema(value: unknown, schema: JsonSchema): string[] {
  const problems: string[] = [];
  check(value, schema, '', schema, problems, 0);
  return problems;
}

const maxDepth = 64;

function check(value: unknown, schema: unknown, path: string, root: JsonSchema, problems: string[], depth: number): void {
  if (schema === true || schema === undefined) return;
  if (schema === false) {
    problems.push(`${where(path)}: no value is allowed here`);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  if (depth > maxDepth) {
    problems.push(`${where(path)}: schema nesting too deep (recursive $ref?)`);
    return;
  }
  const s = schema as Record<string, unknown>;
  if (typeof s['$ref'] === 'string') {
    const target = resolveRef(s['$ref'], root);
    if (target === undefined) problems.push(`${where(path)}: cannot resolve $ref ${s['$ref']}`);
    else check(value, target, path, root, problems, depth + 1);
  }

  if (s['type'] !== undefined) {
    const types = (Array.isArray(s['type']) ? s['type'] : [s['type']]) as string[];
    if (s['nullable'] === true) types.push('null');
    if (!types.some((type) => hasType(value, type))) {
      problems.push(`${where(path)}: must be ${types.join(' or ')}, got ${typeName(value)}`);
      return;
    }
  }
  if (Array.isArray(s['enum']) && !s['enum'].some((option) => deepEqual(option, value))) {
    problems.push(`${where(path)}: must be one of ${s['enum'].map((option) => JSON.stringify(option)).join(', ')}`);
  }
  if ('const' in s && !deepEqual(s['const'], value)) problems.push(`${where(path)}: must be ${JSON.stringify(s['const'])}`);

  for (const sub of asArray(s['allOf'])) check(value, sub, path, root, problems, depth + 1);
  const anyOf = asArray(s['anyOf']);
  if (anyOf.length > 0 && !anyOf.some((sub) => validates(value, sub, path, root, depth))) {
    problems.push(`${where(path)}: must match one of the anyOf schemas`);
  }
  const oneOf = asArray(s['oneOf']);
  if (oneOf.length > 0) {
    const matches = oneOf.filter((sub) => validates(value, sub, path, root, depth)).length;
    if (matches !== 1) problems.push(`${where(path)}: must match exactly one oneOf schema, matched ${matches}`);
  }

  if (typeof value === 'number') checkNumber(value, s, path, problems);
  if (typeof value === 'string') checkString(value, s, path, problems);
  if (Array.isArray(value)) checkArray(value, s, path, root, problems, depth);
  else if (typeof value === 'object' && value !== null) checkObject(value as Record<string, unknown>, s, path, root, problems, depth);
}

function validates(value: unknown, schema: unknown, path: string, root: JsonSchema, depth: number): boolean {
  const problems: string[] = [];
  check(value, schema, path, root, problems, depth + 1);
  return problems.length === 0;
}

function checkNumber(value: number, s: Record<string, unknown>, path: string, problems: string[]): void {
  const bound = (key: string, fails: (limit: number) => boolean, text: string): void => {
    const limit = s[key];
    if (typeof limit === 'number' && fails(limit)) problems.push(`${where(path)}: must be ${text} ${limit}`);
  };
  bound('minimum', (limit) => value < limit, '>=');
  bound('maximum', (limit) => value > limit, '<=');
  bound('exclusiveMinimum', (limit) => value <= limit, '>');
  bound('exclusiveMaximum', (limit) => value >= limit, '<');
  const multipleOf = s['multipleOf'];
  if (typeof multipleOf === 'number' && multipleOf > 0 && Math.abs(value / multipleOf - Math.round(value / multipleOf)) > 1e-9) {
    problems.push(`${where(path)}: must be a multiple of ${multipleOf}`);
  }
}

function checkString(value: string, s: Record<string, unknown>, path: string, problems: string[]): void {
  const length = [...value].length;
  if (typeof s['minLength'] === 'number' && length < s['minLength']) problems.push(`${where(path)}: must have at least ${s['minLength']} characters`);
  if (typeof s['maxLength'] === 'number' && length > s['maxLength']) problems.push(`${where(path)}: must have at most ${s['maxLength']} characters`);
  if (typeof s['pattern'] === 'string') {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(s['pattern'], 'u');
    } catch {
      pattern = undefined;
    }
    if (pattern && !pattern.test(value)) problems.push(`${where(path)}: must match the pattern ${s['pattern']}`);
  }
}

function checkArray(value: unknown[], s: Record<string, unknown>, path: string, root: JsonSchema, problems: string[], depth: number): void {
  if (typeof s['minItems'] === 'number' && value.length < s['minItems']) problems.push(`${where(path)}: must have at least ${s['minItems']} items`);
  if (typeof s['maxItems'] === 'number' && value.length > s['maxItems']) problems.push(`${where(path)}: must have at most ${s['maxItems']} items`);
  const prefix = asArray(s['prefixItems']);
  value.forEach((item, index) => {
    const itemSchema = index < prefix.length ? prefix[index] : s['items'];
    check(item, itemSchema, `${path}/${index}`, root, problems, depth + 1);
  });
  if (s['uniqueItems'] === true) {
    for (let i = 0; i < value.length; i++) {
      for (let j = i + 1; j < value.length; j++) {
        if (deepEqual(value[i], value[j])) {
          problems.push(`${where(path)}: items ${i} and ${j} are equal, items must be unique`);
          return;
        }
      }
    }
  }
}

function checkObject(
  value: Record<string, unknown>,
  s: Record<string, unknown>,
  path: string,
  root: JsonSchema,
  problems: string[],
  depth: number,
): void {
  const properties = (typeof s['properties'] === 'object' && s['properties'] !== null ? s['properties'] : {}) as Record<string, unknown>;
  for (const key of asArray(s['required'])) {
    if (typeof key === 'string' && !(key in value)) problems.push(`${where(path)}: missing required property "${key}"`);
  }
  for (const [key, item] of Object.entries(value)) {
    const child = `${path}/${escapePointer(key)}`;
    if (Object.hasOwn(properties, key)) check(item, properties[key], child, root, problems, depth + 1);
    else if (s['additionalProperties'] === false) problems.push(`${where(path)}: unexpected property "${key}"`);
    else if (typeof s['additionalProperties'] === 'object') check(item, s['additionalProperties'], child, root, problems, depth + 1);
  }
}

function resolveRef(reference: string, root: JsonSchema): unknown {
  if (reference === '#') return root;
  if (!reference.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of reference.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function where(path: string): string {
  return path === '' ? '(root)' : path;
}
