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

  it('lists placeholders once', () => {
    expect(placeholdersOf('{a} {b} {a}')).toEqual(['a', 'b']);
  });
});
