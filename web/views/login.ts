import { html, type Html } from '../html.js';

export function loginView(options: { error?: string; next?: string }): Html {
  const { error, next } = options;
  return html`<div class="card card--narrow">
    <h1>Sign in</h1>
    <p>Use the API key you were given. It starts with <code>adv.</code> — ask a programme lead if you do not have one.</p>
    ${
      error
        ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-title">
            <h2 id="error-title">You are not signed in</h2>
            <ul>
              <li><a href="#key">${error}</a></li>
            </ul>
          </div>`
        : ''
    }
    <form method="post" action="/ui/login" novalidate>
      <div class="field${error ? ' field--error' : ''}">
        <label for="key">API key</label>
        <p class="hint" id="key-hint">Kept in a secure cookie for this browser only; it is never shown again.</p>
        ${error ? html`<p class="field-error" id="key-error"><span class="visually-hidden">Error:</span> ${error}</p>` : ''}
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="current-password"
          spellcheck="false"
          required
          aria-required="true"
          aria-describedby="key-hint${error ? ' key-error' : ''}"
          ${error ? html` aria-invalid="true"` : ''}${error ? '' : html` autofocus`}
        />
      </div>
      <input type="hidden" name="next" value="${next ?? '/ui'}" />
      <button type="submit" class="button">Sign in</button>
    </form>
  </div>`;
}
