/**
 * A minimal multipart/form-data parser for file uploads (the official SDKs send one `file` part and a
 * few text fields). Works on the whole buffered body, which the upload size limit keeps bounded.
 */

export interface MultipartPart {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly data: Buffer;
}

/** Extracts the boundary from a content-type header, or undefined when it is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2]?.trim();
}

function headerParameter(header: string, name: string): string | undefined {
  const match = new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ?? new RegExp(`${name}=([^;\\s]+)`, 'i').exec(header);
  return match?.[1];
}

/** Splits a multipart body into its parts. Throws on a body that does not follow the boundary. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position === -1) throw new Error('multipart body has no boundary');
  while (position !== -1) {
    let start = position + delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) throw new Error('multipart body is not terminated');
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd === -1 || headerEnd > next) throw new Error('multipart part has no header');
    const headerText = body.subarray(start, headerEnd).toString('utf8');
    // The part data ends before the CRLF that precedes the next delimiter.
    let dataEnd = next;
    if (body[dataEnd - 2] === 0x0d && body[dataEnd - 1] === 0x0a) dataEnd -= 2;
    let disposition = '';
    let contentType: string | undefined;
    for (const line of headerText.split('\r\n')) {
      const separator = line.indexOf(':');
      if (separator === -1) continue;
      const key = line.slice(0, separator).trim().toLowerCase();
      const value = line.slice(separator + 1).trim();
      if (key === 'content-disposition') disposition = value;
      else if (key === 'content-type') contentType = value;
    }
    const name = headerParameter(disposition, 'name');
    if (name !== undefined) {
      parts.push({ name, filename: headerParameter(disposition, 'filename'), contentType, data: body.subarray(headerEnd + 4, dataEnd) });
    }
    position = next;
  }
  return parts;
}
