import { coarseTerms, matchTemplate } from '../../src/ops/template-match';
import { renderTemplate } from '../../src/shared/template-render';

const WELCOME = 'Hello {name}, your order {order} has shipped.';
const CHINESE = '【Herald】尊敬的{name}，您的订单{order}已发货，请注意查收。';

function rendered(content: string, variables: Record<string, string>): string {
  const result = renderTemplate(content, variables);
  if (!result.ok) throw new Error('bad test template');
  return result.text;
}

describe('matchTemplate', () => {
  it('matches a whole rendered message, variables filled in', () => {
    const text = rendered(WELCOME, { name: 'Li Wei', order: 'A-1001' });
    expect(matchTemplate(WELCOME, text)).toEqual({ matchedChars: 32, coverage: 0.73, exact: true });
  });

  it('matches any piece of a rendering, starting or ending inside a variable, ignoring case and spacing', () => {
    expect(matchTemplate(WELCOME, 'Wei,  YOUR order A-10')).toMatchObject({ exact: true, matchedChars: 13 });
    expect(matchTemplate(WELCOME, 'has shipped')).toMatchObject({ exact: true, matchedChars: 11 });
  });

  it('matches Chinese content with a value inside, and text around it lowers the coverage', () => {
    const text = rendered(CHINESE, { name: '张三', order: 'B-77' });
    expect(matchTemplate(CHINESE, text)).toMatchObject({ exact: true });
    expect(matchTemplate(CHINESE, text.slice(8, 20))).toMatchObject({ exact: true, matchedChars: 8 });
    expect(matchTemplate(CHINESE, `${text.slice(8)} 回复TD退订`)).toMatchObject({ exact: false, matchedChars: 18 });
  });

  it('does not match a text that only the placeholders could produce, or other wording', () => {
    expect(matchTemplate(WELCOME, 'Li Wei A-1001')).toBeNull();
    expect(matchTemplate(WELCOME, 'Your verification code is 1234')).toBeNull();
    expect(matchTemplate('Your verification code is {code}. It expires in 5 minutes.', 'code is 829311. It expires')).toMatchObject({ exact: true });
  });

  it('a text that goes on past the end of the template matches only loosely', () => {
    expect(matchTemplate(WELCOME, 'has shipped. Hello again')).toMatchObject({ exact: false, matchedChars: 12 });
  });
});

describe('coarseTerms', () => {
  it('gives Latin words of 3+ characters and Han pairs, longest first', () => {
    expect(coarseTerms('Order A-1001 已发货')).toEqual(['order', '1001', '已发', '发货']);
  });
});
