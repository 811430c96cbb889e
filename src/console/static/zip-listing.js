// Reads a skill version's zip (GET /v1/skills/{id}/versions/{v}/content) in the page: the
// central directory's file names and sizes, and the text of entries stored uncompressed (Paddock
// stores skill zips without deflate, decision 0016). No DOM use: Node runs it too.

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65535. */
const END_SEARCH = 22 + 0xffff;

/**
 * @typedef {{ path: string, size: number, compressedSize: number, method: number, offset: number }} ZipEntry
 */

/**
 * The archive's entries (directories left out), in the archive's order.
 * @param {Uint8Array} bytes
 * @returns {ZipEntry[]}
 */
export function listZip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - END_SEARCH); at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  const entries = [];
  for (let index = 0; index < count; index++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== DIRECTORY_ENTRY)
      throw new Error('a damaged zip archive (central directory)');
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const path = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (!path.endsWith('/'))
      entries.push({
        path,
        method: view.getUint16(at + 10, true),
        compressedSize: view.getUint32(at + 20, true),
        size: view.getUint32(at + 24, true),
        offset: view.getUint32(at + 42, true),
      });
    at += 46 + skip;
  }
  return entries;
}

/**
 * An entry's text when it is stored uncompressed (method 0) and valid UTF-8; undefined otherwise
 * (a deflated or binary file: download the zip to read it).
 * @param {Uint8Array} bytes
 * @param {ZipEntry} entry
 */
export function storedText(bytes, entry) {
  if (entry.method !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (entry.offset + 30 > bytes.length || view.getUint32(entry.offset, true) !== LOCAL_HEADER)
    return undefined;
  const start =
    entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  if (start + entry.size > bytes.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, start + entry.size));
  } catch {
    return undefined;
  }
}
