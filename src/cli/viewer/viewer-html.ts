/** The page's HTML: a shell; the script draws everything, with text nodes only. */
export function viewerHtml(settings: { readOnly: boolean; canRetry: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>llm-batch viewer</title>
<link rel="stylesheet" href="/assets/page.css">
</head>
<body data-read-only="${settings.readOnly ? 'true' : 'false'}" data-can-retry="${settings.canRetry ? 'true' : 'false'}">
<header><a href="#/" id="home">llm-batch</a><span id="mode"></span></header>
<main id="app"><p>Loading…</p></main>
<script src="/assets/page.js"></script>
</body>
</html>
`;
}

/** The page's style sheet (served as /assets/page.css; the CSP allows no inline style). */
export const viewerCss = `
:root { color-scheme: light dark; --muted: #6b7280; --ok: #16a34a; --bad: #dc2626; --other: #a3a3a3; --line: #d4d4d8; --warn: #d97706; --window: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; }
header { padding: 10px 20px; border-bottom: 1px solid var(--line); display: flex; gap: 16px; align-items: baseline; }
header a { font-weight: 600; text-decoration: none; color: inherit; }
#mode { color: var(--muted); }
main { padding: 16px 20px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.text { max-width: 520px; overflow-wrap: anywhere; white-space: pre-wrap; }
tr.clickable { cursor: pointer; }
tr.clickable:hover { background: rgba(127,127,127,0.12); }
.filters { display: flex; gap: 8px; margin: 8px 0 12px; flex-wrap: wrap; align-items: center; }
.status-completed, .status-succeeded { color: var(--ok); }
.status-failed { color: var(--bad); }
.muted { color: var(--muted); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.card b { display: block; font-size: 18px; }
.charts { display: flex; gap: 16px; flex-wrap: wrap; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.chart h3 { margin: 0 0 4px; font-size: 13px; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.side pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 0; }
.message { border-left: 3px solid var(--line); padding: 2px 8px; margin: 6px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.role { font-weight: 600; font-size: 12px; color: var(--muted); }
button { font: inherit; padding: 3px 10px; }
.error { color: var(--bad); }
.pager { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
`;
