// Types for zip-listing.js (plain ESM served to the browser as is).
export interface ZipEntry {
  path: string;
  size: number;
  compressedSize: number;
  method: number;
  offset: number;
}
export function listZip(bytes: Uint8Array): ZipEntry[];
export function storedText(bytes: Uint8Array, entry: ZipEntry): string | undefined;
