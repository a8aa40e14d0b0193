import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import type { ModelPrice } from '../cost/pricing-table.js';
import { isNotFound } from '../store/is-not-found.js';
import { closestName } from '../validation/check-options.js';
import { toolDefinitionSchema } from '../models/batch-request.js';
import { requestDefaultsKeys, type RequestDefaults } from './apply-defaults.js';

/** The names a config file is found by, in each folder from the working directory up. */
export const configFileNames = ['llm-batch.config.json', 'llm-batch.config.yaml', 'llm-batch.config.yml'] as const;

/** One provider of the config file (`providers.<name>`). */
export interface ProviderConfig {
  /** A disabled provider is refused by name (a `provider:model` request, `--provider`). @default true */
  readonly enabled?: boolean;
  /** @default the file's `mode`, else 'native' */
  readonly mode?: 'native' | 'emulated';
  /**
   * The environment variable that holds the key. Keys are never read from the file.
   * @default the provider's usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY)
   */
  readonly apiKeyEnv?: string;
  /** The provider's base URL (a gateway, an OpenAI-compatible server). */
  readonly baseURL?: string;
  /** Emulated mode: the most calls in flight. */
  readonly concurrency?: number;
}

/** One model of the config file (`models.<model id>`). */
export interface ModelConfig {
  /** Most requests of this model in one part (the documents' `max_prompts_per_batch`). @default the provider's limit */
  readonly maxRequestsPerPart?: number;
  /** The model's prices per 1M tokens in USD, over the shipped table. @default the shipped table's */
  readonly price?: ModelPrice;
}

/**
 * Defaults for the requests and jobs of a client (`defaults`): what `createBatchClient({ defaults })`
 * takes, the same keys (`model`, `system`, `temperature`, `maxTokens`, `tools`, `schema`). In a
 * file, `schema` is a JSON schema. The model may name its provider (`openai:gpt-...`).
 */
export type ConfigDefaults = RequestDefaults;

/** What `llm-batch.config.json` / `.yaml` holds; every key is optional. See docs/config-file.md. */
export interface LlmBatchConfig {
  /** The provider of a client (and the CLI) that names none. @default the only enabled provider */
  readonly provider?: string;
  /** @default 'native' */
  readonly mode?: 'native' | 'emulated';
  readonly providers?: Readonly<Record<string, ProviderConfig>>;
  readonly models?: Readonly<Record<string, ModelConfig>>;
  readonly defaults?: ConfigDefaults;
  /** The job store folder, relative to the file. @default ./.llm-batch (or LLM_BATCH_DIR) */
  readonly store?: string;
  readonly pollIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  /**
   * Modules that register providers (paths relative to the file), loaded before the config is
   * used: each exports `register({ registerProvider, createProvider, emulated })`. See docs/config-file.md.
   */
  readonly plugins?: readonly string[];
}

/** A config as read: its values and where it came from (the folder its relative paths start from). */
export interface LoadedConfig {
  readonly config: LlmBatchConfig;
  /** The file, when read from one. */
  readonly path?: string;
}

const topKeys = ['provider', 'mode', 'providers', 'models', 'defaults', 'store', 'pollIntervalMs', 'maxPollIntervalMs', 'plugins'];
const providerKeys = ['enabled', 'mode', 'apiKeyEnv', 'baseURL', 'concurrency'];
const modelKeys = ['maxRequestsPerPart', 'price'];
const priceKeys = ['provider', 'input', 'cachedInput', 'cacheWrite', 'output', 'batchDiscount'];

/** A value that looks like a credential: never accepted in the file, wherever it is. */
const keyLike = /^(sk-|sk-ant-|sk-proj-|AIza|xai-|gsk_)[A-Za-z0-9_-]{8,}|^[A-Za-z0-9_-]{40,}$/;
/** A key name that asks for a credential. */
const secretName = /^(api[-_]?key|key|secret|token|password|authorization)$/i;

/** Where a value is: the line of a path, when the text was parsed with positions. */
type LineOf = (path: readonly (string | number)[], key?: boolean) => number | undefined;

/**
 * Finds the config file from `cwd` up: the first folder holding one of {@link configFileNames}.
 * Two in one folder are refused (which one would win is a guess).
 */
export async function findConfigFile(cwd: string = process.cwd()): Promise<string | undefined> {
  let folder = resolve(cwd);
  while (true) {
    const found: string[] = [];
    for (const name of configFileNames) {
      const path = join(folder, name);
      try {
        await access(path);
        found.push(path);
      } catch (error) {
        if (!isNotFound(error) && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
      }
    }
    if (found.length > 1) {
      throw new ValidationError([{ index: 0, field: '', reason: `two config files in one folder: ${found.join(' and ')}; keep one` }], {
        subject: 'config',
        message: `Two config files in one folder (${found.map((path) => path.slice(folder.length + 1)).join(', ')}); keep one`,
      });
    }
    if (found[0] !== undefined) return found[0];
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/**
 * Reads and checks a config file (`.json`, `.yaml` or `.yml`). Every problem is in one
 * `ValidationError`, each naming the key and its line; a credential in the file is one of them.
 */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const text = await readFile(path, 'utf8');
  const { parseDocument, LineCounter } = await loadYaml();
  const lines = new LineCounter();
  // JSON is YAML: one parser gives both their line numbers.
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const name = path.split(/[\\/]/).at(-1) ?? path;
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => ({
      index: 0,
      line: lines.linePos(error.pos[0]).line,
      field: '',
      reason: error.message.split('\n')[0] ?? error.message,
    }));
    throw configError(name, issues);
  }
  const lineOf: LineOf = (path, key) => {
    const parent = path.length === 0 ? document.contents : document.getIn(path.slice(0, -1), true);
    const last = path.at(-1);
    if (key && parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
      const pair = (parent.items as { key?: { value?: unknown; range?: number[] } }[]).find((item) => item.key?.value === last);
      if (pair?.key?.range?.[0] !== undefined) return lines.linePos(pair.key.range[0]).line;
    }
    const node = document.getIn(path, true) as { range?: number[] } | undefined;
    return node?.range?.[0] === undefined ? undefined : lines.linePos(node.range[0]).line;
  };
  const value: unknown = document.toJS() ?? {};
  return { config: checkConfig(value, name, lineOf), path: resolve(path) };
}

/**
 * Checks a config given as an object (`createBatchClient({ config: {...} })`) or read from a file:
 * closed keys at every level, values of the right kind, and no credential anywhere.
 */
export function checkConfig(value: unknown, source = 'config', lineOf: LineOf = () => undefined): LlmBatchConfig {
  const issues: ValidationIssue[] = [];
  const add = (path: readonly (string | number)[], reason: string, key = false): void => {
    const line = lineOf(path, key);
    issues.push({ index: 0, ...(line === undefined ? {} : { line }), field: path.join('.'), reason });
  };
  findCredentials(value, [], add);
  if (!isObject(value)) {
    add([], 'the config must be an object of settings');
    throw configError(source, issues);
  }
  closed(value, [], topKeys, add);
  oneOf(value, ['mode'], ['native', 'emulated'], add);
  text(value, ['provider'], add);
  text(value, ['store'], add);
  for (const key of ['pollIntervalMs', 'maxPollIntervalMs']) number(value, [key], { min: 1, max: 86_400_000, integer: true }, add);
  const plugins = value['plugins'];
  if (plugins !== undefined && !Array.isArray(plugins)) add(['plugins'], 'must be a list of module paths (relative to the config file)');
  if (Array.isArray(plugins)) {
    plugins.forEach((plugin: unknown, position) => {
      if (typeof plugin !== 'string' || plugin === '') add(['plugins', position], `must be a module path, got ${JSON.stringify(plugin)}`);
    });
  }
  for (const [name, provider] of entries(value, 'providers', add)) {
    const at = ['providers', name];
    if (!isObject(provider)) {
      add(at, 'must be an object of provider settings');
      continue;
    }
    closed(provider, at, providerKeys, add);
    if (provider['enabled'] !== undefined && typeof provider['enabled'] !== 'boolean') add([...at, 'enabled'], 'must be true or false');
    oneOf(provider, [...at, 'mode'], ['native', 'emulated'], add);
    text(provider, [...at, 'baseURL'], add);
    const env = provider['apiKeyEnv'];
    if (env !== undefined && (typeof env !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env))) {
      add([...at, 'apiKeyEnv'], 'must be the name of an environment variable (letters, digits and _), not a key');
    }
    number(provider, [...at, 'concurrency'], { min: 1, max: 20_000, integer: true }, add);
  }
  for (const [name, model] of entries(value, 'models', add)) {
    const at = ['models', name];
    if (!isObject(model)) {
      add(at, 'must be an object of model settings');
      continue;
    }
    closed(model, at, modelKeys, add);
    number(model, [...at, 'maxRequestsPerPart'], { min: 1, max: 1_000_000, integer: true }, add);
    const price = model['price'];
    if (price !== undefined) {
      if (!isObject(price)) add([...at, 'price'], 'must be an object { input, output } of USD per 1M tokens');
      else {
        closed(price, [...at, 'price'], priceKeys, add);
        for (const key of ['input', 'output']) if (price[key] === undefined) add([...at, 'price', key], 'is required (USD per 1M tokens)');
        for (const key of ['input', 'cachedInput', 'cacheWrite', 'output']) number(price, [...at, 'price', key], { min: 0, max: 1e6 }, add);
        number(price, [...at, 'price', 'batchDiscount'], { min: 0, max: 1 }, add);
      }
    }
  }
  const defaults = value['defaults'];
  if (defaults !== undefined) {
    if (!isObject(defaults)) add(['defaults'], 'must be an object of request defaults');
    else {
      // The keys are the client's `defaults` keys: one list, so the file and the API cannot drift apart.
      closed(defaults, ['defaults'], requestDefaultsKeys, add);
      text(defaults, ['defaults', 'model'], add);
      text(defaults, ['defaults', 'system'], add);
      number(defaults, ['defaults', 'temperature'], { min: 0, max: 2 }, add);
      number(defaults, ['defaults', 'maxTokens'], { min: 1, max: 10_000_000, integer: true }, add);
      const tools = defaults['tools'];
      if (tools !== undefined && !Array.isArray(tools)) add(['defaults', 'tools'], 'must be a list of tools { name, description?, parameters? }');
      if (Array.isArray(tools)) {
        tools.forEach((tool: unknown, position) => {
          const parsed = toolDefinitionSchema.safeParse(tool);
          if (!parsed.success) add(['defaults', 'tools', position], `must be a tool { name, description?, parameters? }: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'tool'}: ${issue.message}`).join('; ')}`);
        });
      }
      if (defaults['schema'] !== undefined && !isObject(defaults['schema'])) add(['defaults', 'schema'], 'must be a JSON schema object');
    }
  }
  if (issues.length > 0) throw configError(source, issues);
  return value as LlmBatchConfig;
}

function configError(source: string, issues: ValidationIssue[]): ValidationError {
  const shown = issues.map((issue) => `  - ${issue.line === undefined ? '' : `line ${issue.line}: `}${issue.field || '(the file)'}: ${issue.reason}`);
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new ValidationError(issues, { subject: 'config', message: `${source}: ${issues.length} ${noun}\n${shown.join('\n')}` });
}

/** Every string that looks like a credential, and every key that asks for one, wherever it is. */
function findCredentials(value: unknown, path: (string | number)[], add: (path: readonly (string | number)[], reason: string, key?: boolean) => void, namesAreData = false): void {
  const advice = 'keys are never read from the config file; put the key in an environment variable and name it in providers.<name>.apiKeyEnv';
  if (typeof value === 'string') {
    if (keyLike.test(value.trim())) add(path, `looks like a key (not shown); ${advice}`);
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => findCredentials(item, [...path, index], add, namesAreData));
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = [...path, key];
      if (secretName.test(key) && !namesAreData) add(at, `a credential in the file (not shown); ${advice}`, true);
      else findCredentials(item, at, add, namesAreData || holdsFieldNames(at));
    }
  }
}

/**
 * A schema's and a tool's parameters name the fields of an answer (a `token` or `password` field
 * is fine there): their key names are not settings. Their values are still looked at.
 */
function holdsFieldNames(path: readonly (string | number)[]): boolean {
  const [top, key, , inner] = path;
  return top === 'defaults' && ((key === 'schema' && path.length === 2) || (key === 'tools' && path.length === 4 && inner === 'parameters'));
}

type Add = (path: readonly (string | number)[], reason: string, key?: boolean) => void;

function closed(value: Record<string, unknown>, at: readonly string[], known: readonly string[], add: Add): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || secretName.test(key)) continue;
    const near = closestName(key, known);
    add([...at, key], `unknown key${near === undefined ? '' : ` (did you mean '${near}'?)`}; known: ${known.join(', ')}`, true);
  }
}

function entries(value: Record<string, unknown>, key: string, add: Add): [string, unknown][] {
  const object = value[key];
  if (object === undefined) return [];
  if (!isObject(object)) {
    add([key], `must be an object keyed by ${key === 'models' ? 'model id' : 'provider name'}`);
    return [];
  }
  return Object.entries(object);
}

function oneOf(value: Record<string, unknown>, path: readonly string[], choices: readonly string[], add: Add): void {
  const item = value[path.at(-1)!];
  if (item !== undefined && !choices.includes(item as string)) add(path, `must be ${choices.map((choice) => `"${choice}"`).join(' or ')}, got ${JSON.stringify(item)}`);
}

function text(value: Record<string, unknown>, path: readonly string[], add: Add): void {
  const item = value[path.at(-1)!];
  if (item !== undefined && (typeof item !== 'string' || item === '')) add(path, `must be a non-empty string, got ${JSON.stringify(item)}`);
}

function number(value: Record<string, unknown>, path: readonly string[], bounds: { min: number; max: number; integer?: boolean }, add: Add): void {
  const item = value[path.at(-1)!];
  if (item === undefined) return;
  const ok = typeof item === 'number' && Number.isFinite(item) && item >= bounds.min && item <= bounds.max && (!bounds.integer || Number.isInteger(item));
  if (!ok) add(path, `must be ${bounds.integer ? 'an integer' : 'a number'} from ${bounds.min} to ${bounds.max.toLocaleString('en-US')}, got ${JSON.stringify(item)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Where the search starts. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * The config, as the CLI reads it: the file at `path` (relative to `cwd`), else the first
 * `llm-batch.config.json`, `.yaml` or `.yml` from `cwd` up, else an empty config. A bad file is a
 * `ValidationError` naming every bad key and its line.
 *
 * @example
 * const client = createBatchClient({ config: await loadConfig() });
 * const client2 = createBatchClient({ config: await loadConfig('config/llm-batch.config.yaml') });
 */
export async function loadConfig(path?: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  if (path !== undefined) {
    if (typeof path !== 'string' || path === '') throw new TypeError(`loadConfig(): the path must be a non-empty string, got ${JSON.stringify(path)}`);
    return loadConfigFile(resolve(cwd, path));
  }
  const found = await findConfigFile(cwd);
  return found === undefined ? { config: {} } : loadConfigFile(found);
}

type YamlModule = typeof import('yaml');

/**
 * The `yaml` parser, loaded on first use. Bundled as CommonJS, its names can sit on `default`
 * rather than on the namespace itself, so both are looked at.
 */
async function loadYaml(): Promise<Pick<YamlModule, 'parseDocument' | 'LineCounter'>> {
  const loaded = (await import('yaml')) as YamlModule & { default?: YamlModule };
  return typeof loaded.LineCounter === 'function' ? loaded : (loaded.default ?? loaded);
}
