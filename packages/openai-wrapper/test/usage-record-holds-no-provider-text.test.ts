import { describe, expect, it } from 'vitest';

import { readUsage } from '../src/call-path/usage.js';

describe('provider usage in records keeps counts only', () => {
  it('drops strings, arrays and deep nesting a provider puts into usage', () => {
    const read = readUsage({
      prompt_tokens: 12,
      completion_tokens: 3,
      total_tokens: 15,
      note: 'secret prompt text the provider echoed',
      prompt_tokens_details: { cached_tokens: 4, echo: 'more text', list: ['x'] },
      a: { b: { c: { d: { e: 1 } } } },
    });
    expect(read?.raw).toEqual({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 }, a: { b: { c: {} } } });
    expect(JSON.stringify(read)).not.toContain('text');
  });
});
