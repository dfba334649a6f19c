import { html, type Html } from '../html.js';

const titles: Record<number, string> = {
  400: 'That request was not valid',
  403: 'Not allowed',
  404: 'Not found',
  409: 'That conflicts with the campaign as it is now',
  422: 'Not possible yet',
  503: 'The workflow engine is not reachable',
};

export function errorView(status: number, message: string): Html {
  const hint =
    status === 503
      ? 'The dashboard cannot reach Temporal. Try again in a minute; if it persists, ask an operator to check the engine.'
      : status === 403
        ? "Your key's role or countries do not allow this. Ask a programme lead if you need more access."
        : '';
  return html`<div class="card card--narrow">
    <h1>${titles[status] ?? 'Something went wrong'}</h1>
    <p>${message}</p>
    ${hint ? html`<p class="hint">${hint}</p>` : ''}
    <p><a href="/ui">Back to the campaigns</a></p>
  </div>`;
}
