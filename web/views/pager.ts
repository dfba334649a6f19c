import { html, type Html } from '../html.js';
import type { PageLinks } from '../paging.js';

/** Previous and next links under a paged list; nothing when it fits on one page. */
export function pager(links: PageLinks | undefined): Html {
  if (!links?.next && !links?.previous) return html``;
  return html`<nav class="pager" aria-label="Pages">
    ${links.previous ? html`<a href="${links.previous}" rel="prev" class="button button--quiet">← Previous</a>` : ''}
    ${links.next ? html`<a href="${links.next}" rel="next" class="button button--quiet">Next →</a>` : ''}
  </nav>`;
}
