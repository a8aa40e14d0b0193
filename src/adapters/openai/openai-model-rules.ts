import type { DroppedParameter } from '../../wire/openai/openai-body-conversion.js';

/**
 * What some OpenAI model families refuse, as data. Reasoning models (gpt-5, o1, o3, o4) reject
 * sampling parameters other than their defaults, so a request that sets them would fail as a whole
 * batch line; the adapter drops them and says so once per part.
 */
export interface OpenAIModelRule {
  /** Which models the rule covers. */
  readonly models: RegExp;
  /** Body fields removed before sending (chat and responses names alike). */
  readonly unsupportedParameters: readonly string[];
  /** Why, for the warning. */
  readonly reason: string;
}

export const openaiModelRules: readonly OpenAIModelRule[] = [
  {
    models: /^(gpt-5|o1|o3|o4)/,
    unsupportedParameters: ['temperature', 'top_p'],
    reason: 'reasoning models accept only the default sampling parameters',
  },
];

/**
 * Removes the parameters the body's model does not accept. Returns a new body when anything is
 * removed (the input is never mutated) and the list of removals.
 */
export function applyOpenAIModelRules(body: Record<string, unknown>): {
  body: Record<string, unknown>;
  dropped: DroppedParameter[];
} {
  const model = typeof body['model'] === 'string' ? body['model'] : undefined;
  if (model === undefined) return { body, dropped: [] };
  const dropped: DroppedParameter[] = [];
  let result = body;
  for (const rule of openaiModelRules) {
    if (!rule.models.test(model)) continue;
    for (const parameter of rule.unsupportedParameters) {
      if (!(parameter in result)) continue;
      if (result === body) result = { ...body };
      delete result[parameter];
      dropped.push({ parameter, model, reason: rule.reason });
    }
  }
  return { body: result, dropped };
}
