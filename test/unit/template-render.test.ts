import { placeholderSyntaxErrors, placeholdersOf, renderTemplate } from '../../src/shared/template-render';

describe('renderTemplate', () => {
  it('fills every placeholder', () => {
    expect(renderTemplate('Hi {name}, code {code}. {name}!', { name: 'Li', code: '1234' })).toEqual({
      ok: true,
      text: 'Hi Li, code 1234. Li!',
    });
  });

  it('names each missing variable', () => {
    expect(renderTemplate('Hi {name}, code {code}', {})).toEqual({ ok: false, missing: ['name', 'code'] });
  });

  it('does not interpret placeholders inside values', () => {
    expect(renderTemplate('{a}', { a: '{b}', b: 'x' })).toEqual({ ok: true, text: '{b}' });
  });

  it('keeps replacement patterns in values literal', () => {
    expect(renderTemplate('Hi {name}!', { name: "$& $' $` $1" })).toEqual({ ok: true, text: "Hi $& $' $` $1!" });
  });

  it('never fills a placeholder from Object.prototype', () => {
    expect(renderTemplate('{constructor} {toString} {__proto__}', {})).toEqual({ ok: false, missing: ['constructor', 'toString', '__proto__'] });
    expect(renderTemplate('{toString}', { toString: 'ok' })).toEqual({ ok: true, text: 'ok' });
  });

  it('lists placeholders once', () => {
    expect(placeholdersOf('{a} {b} {a}')).toEqual(['a', 'b']);
  });
});

describe('placeholderSyntaxErrors', () => {
  it('accepts text with well-formed placeholders', () => {
    expect(placeholderSyntaxErrors('Hi {name}, code {code_2}.')).toEqual([]);
  });

  it('names each malformed brace with its position', () => {
    expect(placeholderSyntaxErrors('Hi { name }, {1st} and {open')).toEqual([
      { position: 3, reason: '"{ name }" is not a placeholder: names are letters, digits and _, not starting with a digit, no spaces' },
      { position: 13, reason: '"{1st}" is not a placeholder: names are letters, digits and _, not starting with a digit, no spaces' },
      { position: 23, reason: 'a "{" is never closed by "}"' },
    ]);
  });

  it('finds a stray closing brace and an unclosed one before another placeholder', () => {
    expect(placeholderSyntaxErrors('a} {b {c}')).toEqual([
      { position: 1, reason: 'a "}" has no "{" before it' },
      { position: 3, reason: 'a "{" is never closed by "}"' },
    ]);
  });
});
