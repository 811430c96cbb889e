/** The FileMetadata object as it goes on the wire (BetaFileMetadata). */
export interface FileMetadata {
  type: 'file';
  id: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  created_at: string;
  downloadable: boolean;
  expires_at: string | null;
  scope: { type: 'session'; id: string } | null;
}

export const MIN_EXPIRES_IN_SECONDS = 3600;
export const MAX_EXPIRES_IN_SECONDS = 7_776_000;
