import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/validation-error.js';
import { buildRequestsFromTemplate } from '../../src/templates/build-requests-from-template.js';
import { parseCsv, parseCsvRecords } from '../../src/templates/parse-csv.js';
import { parseDataRows } from '../../src/templates/read-data-rows.js';
import { renderTemplate, templatePlaceholders } from '../../src/templates/render-template.js';

describe('parseCsv', () => {
  it('handles quoted commas, escaped quotes, CRLF and embedded newlines', () => {
    const text = 'id,text\r\n1,"Hello, ""world"""\r\n2,"two\r\nlines"\r\n3,plain\r\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'text'],
      ['1', 'Hello, "world"'],
      ['2', 'two\r\nlines'],
      ['3', 'plain'],
    ]);
  });

  it('keeps empty fields and a last record without a line break, and drops a BOM', () => {
    expect(parseCsv('\uFEFFa,b,c\n,,\nx,"",z')).toEqual([
      ['a', 'b', 'c'],
      ['', '', ''],
      ['x', '', 'z'],
    ]);
  });

  it('reports an unclosed quote with the line it opened on', () => {
    const error = (() => {
      try {
        parseCsv('id,text\n1,ok\n2,"never closed\nstill\n');
      } catch (caught) {
        return caught;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues[0]).toMatchObject({ line: 3, reason: expect.stringMatching(/never closed/) });
  });

  it('rejects a record with the wrong number of fields, naming its line', () => {
    expect(() => parseCsvRecords('id,text\n1,a\n2,b,extra\n')).toThrow(/line 3.*3 fields, but the header has 2/);
  });
});

describe('renderTemplate', () => {
  it('fills placeholders, with spaces and nested fields', () => {
    expect(renderTemplate('Hi {{ name }}, you are {{age}} in {{place.city}}', { name: 'Ada', age: 36, place: { city: 'London' } })).toBe(
      'Hi Ada, you are 36 in London',
    );
    expect(templatePlaceholders('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
  });

  it('throws on a placeholder the row has no field for', () => {
    expect(() => renderTemplate('Hi {{nam}}', { name: 'Ada' })).toThrow(/nam.*unknown placeholder/);
  });
});

describe('buildRequestsFromTemplate', () => {
  it('builds one request per row and variant with ids `${rowId}_${variant}`', async () => {
    const rows = parseDataRows('id,text\nr1,"Great, really"\nr2,Bad\n', 'csv');
    const requests = await buildRequestsFromTemplate({
      template: { variants: { short: 'One word: {{text}}', long: 'In detail: {{text}}' }, system: 'You rate reviews.' },
      rows,
      model: 'gpt-5.4-mini',
      maxTokens: 20,
    });
    expect(requests.map((request) => request.id)).toEqual(['r1_short', 'r1_long', 'r2_short', 'r2_long']);
    expect(requests[0]).toEqual({
      id: 'r1_short',
      model: 'gpt-5.4-mini',
      system: 'You rate reviews.',
      messages: [{ role: 'user', content: 'One word: Great, really' }],
      maxTokens: 20,
      metadata: { row: 0, variant: 'short' },
    });
  });

  it('names rows without an id by position and uses idField when given', async () => {
    const plain = await buildRequestsFromTemplate({ template: '{{q}}', rows: [{ q: 'a' }, { q: 'b' }] });
    expect(plain.map((request) => request.id)).toEqual(['row_1', 'row_2']);
    const keyed = await buildRequestsFromTemplate({ template: '{{q}}', rows: [{ key: 'k1', q: 'a' }], idField: 'key' });
    expect(keyed[0]?.id).toBe('k1');
  });

  it('reports every unknown placeholder naming the row, its id and its line in the data file', async () => {
    const rows = parseDataRows('id,text\nr1,fine\nr2,"multi\nline"\n', 'csv');
    const error = await buildRequestsFromTemplate({ template: '{{text}} for {{customer}}', rows }).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    const issues = (error as ValidationError).issues;
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ index: 0, line: 2, id: 'r1', field: 'template' });
    expect(issues[1]).toMatchObject({ index: 1, line: 3, id: 'r2' });
    expect((error as Error).message).toMatch(/line 2 \(id "r1"\): template: unknown placeholder \{\{customer\}\}; the row has fields id, text/);
  });

  it('reports duplicate and invalid ids', async () => {
    const error = (await buildRequestsFromTemplate({ template: '{{q}}', rows: [{ id: 'a', q: 1 }, { id: 'a', q: 2 }, { id: 'no spaces', q: 3 }] }).catch(
      (caught: unknown) => caught,
    )) as ValidationError;
    expect(error.issues.map((issue) => issue.reason)).toEqual([
      expect.stringMatching(/duplicate request id "a"/),
      expect.stringMatching(/"no spaces" must match/),
    ]);
  });

  it('reads rows from an async iterable and rejects empty data', async () => {
    async function* rows() {
      yield { id: 'x', q: 'hello' };
    }
    expect((await buildRequestsFromTemplate({ template: 'Say {{q}}', rows: rows() }))[0]?.messages).toEqual([{ role: 'user', content: 'Say hello' }]);
    await expect(buildRequestsFromTemplate({ template: 'x', rows: [] })).rejects.toThrow(/no rows/);
  });
});

describe('parseDataRows (JSONL)', () => {
  it('reads one object a line and reports each bad line by number', () => {
    expect(parseDataRows('{"id":"a"}\n\n{"id":"b"}\n', 'jsonl')).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(() => parseDataRows('{"id":"a"}\n{oops\n[1]\n', 'jsonl')).toThrow(/line 2: invalid JSON[\s\S]*line 3: expected a JSON object/);
  });
});
