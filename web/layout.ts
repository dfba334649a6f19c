import type { ApiKeyInfo } from '../infra/api-keys.js';
import { html, type Html } from './html.js';

export interface PageOptions {
  title: string;
  body: Html;
  /** Signed-in key (shows who is signed in and the sign-out button). */
  user?: ApiKeyInfo | null;
  csrf?: string;
  /** Which top navigation entry is current. */
  current?: 'campaigns' | 'due' | 'login';
}

/** The page shell: skip link, header with navigation and who is signed in, main landmark, footer. */
export function page({ title, body, user, csrf, current }: PageOptions): string {
  const scope = user?.countries ? ` · ${user.countries.join(', ')}` : '';
  return `<!doctype html>${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Advocacy campaigns</title>
        <link rel="stylesheet" href="/ui/static/dashboard.css" />
        <link rel="icon" href="/ui/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href="/ui">Advocacy campaigns</a>
            <nav aria-label="Main">
              <ul>
                <li><a href="/ui" ${current === 'campaigns' ? html` aria-current="page"` : ''}>Campaigns</a></li>
                <li><a href="/ui/due" ${current === 'due' ? html` aria-current="page"` : ''}>Due &amp; overdue</a></li>
                <li><a href="/docs">API docs</a></li>
              </ul>
            </nav>
            ${
              user
                ? html`<div class="who">
                    <span class="who__name">${user.label}</span>
                    <span class="who__role">${user.role}${scope}</span>
                    <form method="post" action="/ui/logout" class="inline">
                      <input type="hidden" name="_csrf" value="${csrf ?? ''}" />
                      <button type="submit" class="button button--quiet">Sign out</button>
                    </form>
                  </div>`
                : ''
            }
          </div>
        </header>
        <main id="main" tabindex="-1">${body}</main>
        <footer class="site-footer"><p>Every change is recorded in the campaign history with the key that made it.</p></footer>
      </body>
    </html>`.value
  }`;
}
