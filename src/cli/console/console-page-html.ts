/**
 * @module cli/console/console-page-html
 * The console's HTML: a shell with no inline script or style (the Content-Security-Policy
 * forbids both), the page's script and style sheet from the console itself, and the
 * session's CSRF token in a meta element the script reads. The page is built in the
 * browser from the API's answers (page/console-page.ts), with text set as text only.
 */

/** `text` safe inside HTML text or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function consolePageHtml(csrf: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(csrf)}">
<title>Mesh console</title>
<link rel="stylesheet" href="/console.css">
<script type="module" src="/console.js"></script>
</head>
<body>
<noscript>The Mesh console needs JavaScript (its own script only; nothing is loaded from elsewhere).</noscript>
<main id="app" aria-live="polite"></main>
</body>
</html>
`;
}

/** The answer to a request without a session: says what to do, runs nothing. */
export function unauthorizedHtml(message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Mesh console: sign in</title></head>
<body><h1>Not signed in</h1><p>${escapeHtml(message)}</p></body>
</html>
`;
}
