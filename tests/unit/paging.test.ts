import { describe, expect, it } from 'vitest';
import { pageLinks, pagePosition } from '../../web/paging.js';

/** The dashboard's previous and next links over forward-only cursors. */

describe('pageLinks', () => {
  it('has only a next link on the first page, carrying the filters', () => {
    expect(pageLinks('/ui', { country: 'PH', overdue: true, template: undefined }, pagePosition(undefined, undefined), 'c1')).toEqual({
      next: '/ui?country=PH&overdue=true&cursor=c1',
    });
  });

  it('remembers the pages before, so previous goes back one page at a time', () => {
    const second = pagePosition('c1', undefined);
    const links2 = pageLinks('/ui/due', { within: 30 }, second, 'c2');
    expect(links2).toEqual({ next: '/ui/due?within=30&cursor=c2&back=c1', previous: '/ui/due?within=30' });
    const third = pagePosition('c2', 'c1');
    expect(pageLinks('/ui/due', { within: 30 }, third, undefined)).toEqual({ previous: '/ui/due?within=30&cursor=c1' });
  });

  it('has no links on a list that fits on one page, and drops back entries that are no cursor', () => {
    expect(pageLinks('/ui', {}, pagePosition(undefined, undefined), undefined)).toEqual({});
    expect(pagePosition('c3', '.c1.<script>.c2').back).toEqual(['', 'c1', 'c2']);
  });
});
