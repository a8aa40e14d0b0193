// Where an HTML document starts inside a message (the SDKs put a non-JSON body after the status).
const htmlStart = /<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|title[\s>])/i;
// Enough of a page to find its title or first words; error pages put them near the top.
const htmlScanLength = 64 * 1024;
const htmlSummaryLength = 200;

/**
 * A message holding a whole HTML page (a proxy's or a load balancer's 502 page, which the SDKs
 * report as `"502 <!DOCTYPE html>…"`) shortened to what a person needs: the text before the page,
 * the page's `<title>` (else its first words) and its size, as
 * `"502 Bad Gateway (HTML error page, 1,234 bytes)"`. `statusCode` leads when the message does not
 * say it already. Other messages are returned as they are.
 */
export function condenseHtmlPage(message: string, statusCode?: number): string {
  const start = message.search(htmlStart);
  if (start === -1) return message;
  const before = message.slice(0, start).trim().replace(/[:;,-]$/, '').trim();
  const page = message.slice(start);
  const scanned = page.slice(0, htmlScanLength);
  let summary = plainText(between(scanned, '<title', '</title'));
  if (summary === '') summary = plainText(scanned.replace(/<head[\s>][\s\S]*?(?:<\/head>|$)/i, ''));
  summary = summary.length > htmlSummaryLength ? `${summary.slice(0, htmlSummaryLength - 1)}…` : summary;
  // "502 <title>502 Bad Gateway</title>": the status is already in the title.
  const status = before === '' && statusCode !== undefined ? String(statusCode) : before;
  const lead = status !== '' && !(/^\d{3}$/.test(status) && summary.startsWith(status)) ? status : '';
  const text = [lead, summary].filter((part) => part !== '').join(' ');
  const size = `HTML error page, ${new TextEncoder().encode(page).length.toLocaleString('en-US')} bytes`;
  return text === '' ? `(${size})` : `${text} (${size})`;
}

/** The content of the first `open`…`close` element (tag names in lower case), or ''. */
function between(html: string, open: string, close: string): string {
  const lower = html.toLowerCase();
  const start = lower.indexOf(open);
  const contentStart = start === -1 ? -1 : lower.indexOf('>', start);
  if (contentStart === -1) return '';
  const end = lower.indexOf(close, contentStart);
  return end === -1 ? '' : html.slice(contentStart + 1, end);
}

/**
 * The visible text of an HTML fragment: no scripts, styles, tags or comments; entities decoded;
 * spaces collapsed. An element left open runs to the end (which also keeps every pattern linear).
 */
function plainText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style)[\s>][\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|#39|apos);/g, (_, entity: string) => htmlEntities[entity] ?? ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const htmlEntities: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
