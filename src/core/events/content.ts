/** Content blocks as they appear in session events (spec §4). */
export interface TextBlock {
  type: 'text';
  text: string;
}
export interface ImageBlock {
  type: 'image';
  source:
    | { type: 'base64'; data: string; media_type: string }
    | { type: 'url'; url: string }
    | { type: 'file'; file_id: string };
}
export interface DocumentBlock {
  type: 'document';
  source:
    | { type: 'base64'; data: string; media_type: string }
    | { type: 'text'; data: string; media_type: 'text/plain' }
    | { type: 'url'; url: string }
    | { type: 'file'; file_id: string };
  title?: string | null;
  context?: string | null;
}
export interface SearchResultBlock {
  type: 'search_result';
  source: string;
  title: string;
  content: TextBlock[];
  citations?: { enabled: boolean };
}
export interface RedactedBlock {
  type: 'redacted';
}
export type ContentBlock = TextBlock | ImageBlock | DocumentBlock | SearchResultBlock | RedactedBlock;
export type ToolResultBlock = TextBlock | ImageBlock | DocumentBlock | SearchResultBlock;

export const text = (value: string): TextBlock => ({ type: 'text', text: value });
