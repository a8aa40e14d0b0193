/**
 * The one place that decides what counts as a secret in a text: the exact values of the keys in use,
 * and the shapes of the keys of the vendors this library documents. Every error message the library
 * stores or returns, and everything the CLI prints, goes through here.
 */

type Environment = Readonly<Record<string, string | undefined>>;

const mask = '[REDACTED]';

// Shorter values are too likely to be ordinary words ("ollama", "test") to be masked everywhere.
const minimumKeyLength = 8;

/**
 * The variables that hold the keys of the providers we document or that users commonly set.
 * Any other variable whose name ends in `_API_KEY` counts as well.
 */
const keyVariables: readonly string[] = [
  'OPENAI_API_KEY',
  'OPENAI_ADMIN_KEY',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GROQ_API_KEY',
  'TOGETHER_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'AZURE_API_KEY',
  'MISTRAL_API_KEY',
  'XAI_API_KEY',
  'DEEPSEEK_API_KEY',
  'OPENROUTER_API_KEY',
  'FIREWORKS_API_KEY',
  'HF_TOKEN',
  'HUGGING_FACE_HUB_TOKEN',
];
const keyVariableSuffix = '_API_KEY';
const keyVariableSet: ReadonlySet<string> = new Set(keyVariables);
// Windows keeps the case a variable was set with and ignores it on reads.
const namesIgnoreCase = process.platform === 'win32';

// Kept readable: a masked key still says whose it was.
const keyPrefixes: readonly string[] = ['sk-ant-', 'sk-', 'gsk_', 'xai-', 'hf_', 'tgp_v1_', 'AIza'];

/** Values registered by adapters (an `apiKey` option, a ready client's key). */
const registeredSecrets = new Set<string>();

/**
 * Key shapes, most specific first. A match is replaced by the replacement string (`$1`, `$2` keep
 * the name of a header or parameter and its separator).
 */
const keyShapes: ReadonlyArray<readonly [RegExp, string]> = [
  // A bearer token, whatever its shape.
  [/\bBearer\s+[\w.~+/=-]{8,}/gi, `Bearer ${mask}`],
  // Headers, fields and variables named after an API key: `x-api-key: …`, `api-key: …`,
  // `x-goog-api-key: …`, `"api_key": "…"`, `OPENAI_API_KEY=…`.
  [/\b((?:[\w-]{0,40}?[-_])?api[-_]?key)(["']?\s*[:=]\s*["']?)[^\s"',;&)]{8,}/gi, `$1$2${mask}`],
  // Query parameters: Google's `?key=AIza…`, `api_key=`, `access_token=`.
  [/([?&](?:key|api[-_]?key|access_token)=)[^&\s"'#]{8,}/gi, `$1${mask}`],
  // Anthropic (`sk-ant-api03-…`, `sk-ant-admin01-…`).
  [/\bsk-ant-[\w*-]{6,}/g, `sk-ant-${mask}`],
  // OpenAI (`sk-…`, `sk-proj-…`, `sk-svcacct-…`), DeepSeek and OpenRouter (`sk-or-v1-…`). Also the
  // partly starred form (`sk-abc1****wxyz`) some servers echo.
  [/\bsk-[\w*-]{6,}/g, `sk-${mask}`],
  // Groq.
  [/\bgsk_[A-Za-z0-9*]{8,}/g, `gsk_${mask}`],
  // xAI; at least 20 characters, so that names like `xai-grok` stay.
  [/\bxai-[A-Za-z0-9*]{20,}/g, `xai-${mask}`],
  // Hugging Face.
  [/\bhf_[A-Za-z0-9*]{20,}/g, `hf_${mask}`],
  // Google (39 characters: `AIza` and 35 more; a cut-off echo still counts).
  [/\bAIza[\w-]{30,}/g, `AIza${mask}`],
  // Together (`tgp_v1_…`).
  [/\btgp_v1_[\w-]{8,}/g, `tgp_v1_${mask}`],
  // Together's older keys: 64 hex digits standing alone.
  [/(?<![\w-])(?=[0-9a-f]{0,63}[a-f])(?=[0-9a-f]{0,63}\d)[0-9a-f]{64}(?![\w-])/gi, mask],
  // Azure OpenAI: 32 hex digits standing alone (a `req_…` id or a UUID is not standing alone).
  [/(?<![\w-])(?=[0-9a-f]{0,31}[a-f])(?=[0-9a-f]{0,31}\d)[0-9a-f]{32}(?![\w-])/gi, mask],
];

/**
 * Adds a value to the keys that `redactSecrets` masks wherever it appears. Adapters call it with
 * the key they were given, so that a key passed as an option (not through the environment) is
 * masked too. Values shorter than 8 characters are ignored.
 *
 * @example
 * registerSecret(options.apiKey);
 */
export function registerSecret(value: string): void {
  if (typeof value === 'string' && value.length >= minimumKeyLength) registeredSecrets.add(value);
}

/**
 * Masks API keys in a text: the exact values of the keys in use (the provider key variables of the
 * environment, read at each call, and every value given to `registerSecret`), then anything shaped
 * like a key of a documented vendor (`sk-…`, `sk-ant-…`, `gsk_…`, `AIza…`, `xai-…`, `hf_…`,
 * `tgp_v1_…`, 32 or 64 hex digits standing alone), a `Bearer …` token, an `x-api-key:` /
 * `api-key:` / `x-goog-api-key:` header and a `key=` / `api_key=` query parameter. The mask keeps
 * the vendor's prefix: `gsk_[REDACTED]`.
 *
 * Used on every message this library stores or reports, because provider messages sometimes echo
 * the key that was sent.
 *
 * @example
 * redactSecrets('Invalid API Key: gsk_0123456789abcdef'); // 'Invalid API Key: gsk_[REDACTED]'
 */
export function redactSecrets(text: string): string {
  // No key of 8 characters or more fits in a shorter text: the environment need not be read.
  return maskShapes(text.length < minimumKeyLength ? text : maskKeyValues(text, process.env));
}

/**
 * `redactSecrets` with the environment read once: for a loop over many texts (every result of a
 * part), where listing the environment for each text would cost more than the rest of the work.
 * Registered keys are read at each call. A key variable set after the redactor was made is not
 * masked by it; `redactSecrets` reads the environment at every call.
 *
 * @example
 * const redact = createSecretRedactor();
 * for (const result of failed) result.error.message = redact(result.error.message);
 */
export function createSecretRedactor(env: Environment = process.env): (text: string) => string {
  const maskValuesOf = createKeyValueMask(env);
  // Many results of a part carry the same message: the last one's redacted form is kept, for as
  // long as no key was registered since (registered keys are only ever added).
  let lastText: string | undefined;
  let lastRedacted = '';
  let lastRegistered = -1;
  return (text) => {
    if (text === lastText && lastRegistered === registeredSecrets.size) return lastRedacted;
    lastRegistered = registeredSecrets.size;
    lastRedacted = maskShapes(maskValuesOf(text));
    lastText = text;
    return lastRedacted;
  };
}

/**
 * The redacted forms of recent texts, by the shapes alone (they depend on the text only): the same
 * message reaches `redactSecrets` again and again (every cancelled item, every 500 of one server).
 */
const shapeMemo = new Map<string, string>();
const shapeMemoSize = 256;
const shapeMemoMaxLength = 1_000;

function maskShapes(text: string): string {
  const memoized = text.length <= shapeMemoMaxLength ? shapeMemo.get(text) : undefined;
  if (memoized !== undefined) return memoized;
  let redacted = text;
  for (const [shape, replacement] of keyShapes) redacted = redacted.replace(shape, replacement);
  if (text.length <= shapeMemoMaxLength) {
    if (shapeMemo.size >= shapeMemoSize) shapeMemo.clear();
    shapeMemo.set(text, redacted);
  }
  return redacted;
}

/**
 * Masks the exact values of the keys in `env` and of the registered keys, and nothing else: the
 * shapes are left alone, so that model output that merely looks like a key survives. What the
 * CLI applies to everything it prints.
 */
export function maskKeyValues(text: string, env: Environment): string {
  return maskValues(text, [...keyValuesOf(env), ...registeredSecrets]);
}

/**
 * `maskKeyValues` with the environment read once: for a writer called for every line of a large
 * output, where reading the environment each time would cost more than the write.
 */
export function createKeyValueMask(env: Environment): (text: string) => string {
  const fromEnvironment = keyValuesOf(env);
  return (text) => maskValues(text, registeredSecrets.size === 0 ? fromEnvironment : [...fromEnvironment, ...registeredSecrets]);
}

/**
 * The values of the key variables set in `env`. One listing of the names, and a read of only the
 * ones that name a key: reading each known variable by name costs more than the listing when
 * few of them are set (each read of `process.env` asks the operating system).
 */
function keyValuesOf(env: Environment): string[] {
  const values: string[] = [];
  for (const listed of Object.keys(env)) {
    const name = namesIgnoreCase ? listed.toUpperCase() : listed;
    if (!keyVariableSet.has(name) && !name.endsWith(keyVariableSuffix)) continue;
    const value = env[listed];
    if (value !== undefined && value.length >= minimumKeyLength && !values.includes(value)) values.push(value);
  }
  return values;
}

function maskValues(text: string, values: readonly string[]): string {
  let redacted = text;
  // Longest first: one key may contain another.
  const present = values.filter((value) => redacted.includes(value)).sort((a, b) => b.length - a.length);
  for (const value of present) redacted = redacted.split(value).join(maskFor(value));
  return redacted;
}

function maskFor(value: string): string {
  const prefix = keyPrefixes.find((candidate) => value.startsWith(candidate) && value.length > candidate.length + 4);
  return prefix === undefined ? mask : `${prefix}${mask}`;
}
