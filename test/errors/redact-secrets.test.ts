import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyError, redactSecrets as redactSecretsFromClassify } from '../../src/errors/classify-error.js';
import { createKeyValueMask, createSecretRedactor, maskKeyValues, redactSecrets, registerSecret } from '../../src/errors/redact-secrets.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits: a fresh key per test, so that one test cannot pass on another's mask. */
function alphanumeric(length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function hex(length: number): string {
  return randomBytes(length / 2).toString('hex');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('redactSecrets: key shapes of the documented vendors', () => {
  const shapes: Array<{ vendor: string; key: () => string; masked: string }> = [
    { vendor: 'OpenAI (sk-)', key: () => `sk-${alphanumeric(48)}`, masked: 'sk-[REDACTED]' },
    { vendor: 'OpenAI project (sk-proj-)', key: () => `sk-proj-${alphanumeric(40)}_${alphanumeric(40)}`, masked: 'sk-[REDACTED]' },
    { vendor: 'Anthropic (sk-ant-)', key: () => `sk-ant-api03-${alphanumeric(80)}-${alphanumeric(6)}AA`, masked: 'sk-ant-[REDACTED]' },
    { vendor: 'Groq (gsk_)', key: () => `gsk_${alphanumeric(52)}`, masked: 'gsk_[REDACTED]' },
    { vendor: 'Google (AIza, 39 characters)', key: () => `AIza${alphanumeric(30)}_-${alphanumeric(3)}`, masked: 'AIza[REDACTED]' },
    { vendor: 'xAI (xai-)', key: () => `xai-${alphanumeric(80)}`, masked: 'xai-[REDACTED]' },
    { vendor: 'Hugging Face (hf_)', key: () => `hf_${alphanumeric(34)}`, masked: 'hf_[REDACTED]' },
    { vendor: 'Together (tgp_v1_)', key: () => `tgp_v1_${alphanumeric(43)}`, masked: 'tgp_v1_[REDACTED]' },
    { vendor: 'Together (64 hex digits)', key: () => hex(64), masked: '[REDACTED]' },
    { vendor: 'Azure OpenAI (32 hex digits)', key: () => hex(32), masked: '[REDACTED]' },
  ];

  for (const { vendor, key, masked } of shapes) {
    it(`masks a ${vendor} key echoed in a message, keeping the vendor's prefix`, () => {
      const value = key();
      expect(redactSecrets(`401 Incorrect API key provided: ${value}. See your dashboard.`)).toBe(
        `401 Incorrect API key provided: ${masked}. See your dashboard.`,
      );
    });

    it(`masks a ${vendor} key inside JSON and in quotes`, () => {
      const value = key();
      const redacted = redactSecrets(JSON.stringify({ error: { message: `key '${value}' is invalid`, key: value } }));
      expect(redacted).not.toContain(value);
      expect(redacted).toContain(masked);
    });
  }

  it('masks the starred form of a key that some servers echo', () => {
    expect(redactSecrets('Incorrect API key provided: sk-abc1***************wxyz.')).toBe('Incorrect API key provided: sk-[REDACTED].');
  });

  it('masks a bearer token of any shape', () => {
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi.abc-123_x')).toBe('Authorization: Bearer [REDACTED]');
  });

  it('masks the values of the x-api-key, api-key and x-goog-api-key headers', () => {
    expect(redactSecrets('x-api-key: abcd1234efgh5678')).toBe('x-api-key: [REDACTED]');
    expect(redactSecrets('api-key: abcd1234efgh5678')).toBe('api-key: [REDACTED]');
    expect(redactSecrets('"x-goog-api-key":"abcd1234efgh5678"')).toBe('"x-goog-api-key":"[REDACTED]"');
    expect(redactSecrets('export OPENAI_API_KEY=abcd1234efgh5678')).toBe('export OPENAI_API_KEY=[REDACTED]');
  });

  it('masks key= and api_key= query parameters', () => {
    expect(redactSecrets('GET https://example.test/v1beta/models?key=abcd1234efgh5678&alt=sse failed')).toBe(
      'GET https://example.test/v1beta/models?key=[REDACTED]&alt=sse failed',
    );
    expect(redactSecrets('https://example.test/v1?api_key=abcd1234efgh5678')).toBe('https://example.test/v1?api_key=[REDACTED]');
  });

  it('leaves hex digits that are part of an id, a UUID or a longer token alone', () => {
    const text = `request req_${hex(32)} trace ${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)} file-${hex(32)} digest ${hex(40)}`;
    expect(redactSecrets(text)).toBe(text);
  });

  it('leaves ordinary text alone', () => {
    const text =
      'This model’s maximum context length is 128000 tokens; task-list, sk-1, xai-grok, the bearer of bad news, ' +
      'api-key header is required, 12345678901234567890123456789012 and deadbeef are fine';
    expect(redactSecrets(text)).toBe(text);
  });

  it('takes time in proportion to the text: a 200 KB message of hyphenated words is done in well under a second', () => {
    // Quadratic patterns would take minutes on these.
    for (const text of ['a-'.repeat(100_000), 'sk-'.repeat(70_000), 'x-api-'.repeat(35_000), '?key='.repeat(40_000)]) {
      const started = performance.now();
      redactSecrets(text);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('is the function classify-error re-exports', () => {
    expect(redactSecretsFromClassify).toBe(redactSecrets);
  });
});

describe('redactSecrets: exact values of the keys in use', () => {
  const variables = [
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'GEMINI_API_KEY',
    'GOOGLE_API_KEY',
    'GROQ_API_KEY',
    'TOGETHER_API_KEY',
    'AZURE_OPENAI_API_KEY',
    'MISTRAL_API_KEY',
    'XAI_API_KEY',
    'DEEPSEEK_API_KEY',
    'OPENROUTER_API_KEY',
    'FIREWORKS_API_KEY',
    'HF_TOKEN',
    'SOME_OTHER_PROVIDER_API_KEY',
  ];

  for (const name of variables) {
    it(`masks the value of ${name}, however it is shaped`, () => {
      // No vendor shape: only the exact value can catch it.
      const value = `plain.${alphanumeric(24)}`;
      vi.stubEnv(name, value);
      expect(redactSecrets(`echoed ${value}!`)).toBe('echoed [REDACTED]!');
    });
  }

  it('reads the environment at each call', () => {
    const value = `plain.${alphanumeric(24)}`;
    expect(redactSecrets(value)).toBe(value);
    vi.stubEnv('MISTRAL_API_KEY', value);
    expect(redactSecrets(value)).toBe('[REDACTED]');
  });

  it('keeps the vendor prefix of a masked value', () => {
    const value = `gsk_${alphanumeric(20)}.with.dots`;
    vi.stubEnv('GROQ_API_KEY', value);
    expect(redactSecrets(`key ${value} refused`)).toBe('key gsk_[REDACTED] refused');
  });

  it('masks a longer key before a shorter one that it contains', () => {
    const short = `plain.${alphanumeric(12)}`;
    vi.stubEnv('OPENAI_API_KEY', short);
    vi.stubEnv('ANTHROPIC_API_KEY', `${short}.longer`);
    expect(redactSecrets(`a ${short}.longer b ${short}`)).toBe('a [REDACTED] b [REDACTED]');
  });

  it('ignores values shorter than 8 characters, which are ordinary words', () => {
    vi.stubEnv('OPENAI_API_KEY', 'ollama');
    expect(redactSecrets('served by ollama')).toBe('served by ollama');
  });

  it('masks every value given to registerSecret', () => {
    const value = `plain.${alphanumeric(24)}`;
    registerSecret(value);
    expect(redactSecrets(`echoed ${value}`)).toBe('echoed [REDACTED]');
  });

  it('applies to every classified message', () => {
    const value = `plain.${alphanumeric(24)}`;
    vi.stubEnv('TOGETHER_API_KEY', value);
    const error = Object.assign(new Error(`401 invalid key ${value}`), { status: 401 });
    expect(classifyError(error).message).toBe('401 invalid key [REDACTED]');
  });
});

describe('maskKeyValues and createKeyValueMask: exact values only', () => {
  it('masks the values of the given environment and leaves key shapes alone', () => {
    const value = `plain.${alphanumeric(24)}`;
    const shaped = `sk-${alphanumeric(40)}`;
    expect(maskKeyValues(`${value} ${shaped}`, { OPENAI_API_KEY: value })).toBe(`[REDACTED] ${shaped}`);
  });

  it('reads the environment once, and registered keys at each call', () => {
    const value = `plain.${alphanumeric(24)}`;
    const later = `plain.${alphanumeric(24)}`;
    const env: Record<string, string> = { ANTHROPIC_API_KEY: value };
    const mask = createKeyValueMask(env);
    registerSecret(later);
    expect(mask(`${value} ${later}`)).toBe('[REDACTED] [REDACTED]');
  });
});

describe('createSecretRedactor: redactSecrets over many texts, the environment read once', () => {
  it('masks the key values of the environment it was made with, the key shapes and every registered key', () => {
    const value = `plain.${alphanumeric(24)}`;
    const shaped = `gsk_${alphanumeric(52)}`;
    const redact = createSecretRedactor({ SOME_VENDOR_API_KEY: value, HF_TOKEN: 'short' });
    const later = `plain.${alphanumeric(24)}`;
    registerSecret(later);
    expect(redact(`${value} ${shaped} ${later} short`)).toBe('[REDACTED] gsk_[REDACTED] [REDACTED] short');
  });

  it('gives the same text the same answer again, and masks a key registered between two calls with that text', () => {
    const value = `plain.${alphanumeric(24)}`;
    const redact = createSecretRedactor({});
    const text = `The job was cancelled: ${value}`;
    expect(redact(text)).toBe(text);
    expect(redact(text)).toBe(text);
    registerSecret(value);
    expect(redact(text)).toBe('The job was cancelled: [REDACTED]');
    expect(redact('another text')).toBe('another text');
  });

  it('reads process.env by default, once', () => {
    const value = `plain.${alphanumeric(24)}`;
    const later = `plain.${alphanumeric(24)}`;
    vi.stubEnv('SOME_VENDOR_API_KEY', value);
    const redact = createSecretRedactor();
    vi.stubEnv('OTHER_VENDOR_API_KEY', later);
    expect(redact(`${value} ${later}`)).toBe(`[REDACTED] ${later}`);
    // redactSecrets itself reads the environment at each call.
    expect(redactSecrets(`${value} ${later}`)).toBe('[REDACTED] [REDACTED]');
  });
});

describe('redactSecrets: the same text again', () => {
  it('masks a key set in the environment after the same text was redacted, at the very next call', () => {
    const value = `plain.${alphanumeric(24)}`;
    const text = `The job was cancelled before ${value} ran`;
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets(text)).toBe(text);
    vi.stubEnv('A_NEW_PROVIDER_API_KEY', value);
    expect(redactSecrets(text)).toBe('The job was cancelled before [REDACTED] ran');
    vi.unstubAllEnvs();
    expect(redactSecrets(text)).toBe(text);
  });

  it('masks the known variables whose names do not end in _API_KEY', () => {
    for (const name of ['OPENAI_ADMIN_KEY', 'ANTHROPIC_AUTH_TOKEN', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN']) {
      const value = `plain.${alphanumeric(24)}`;
      vi.stubEnv(name, value);
      expect(redactSecrets(`echoed ${value}`)).toBe('echoed [REDACTED]');
    }
  });
});
