import { placeholdersOf, renderTemplate } from '../../src/shared/template-render';

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
