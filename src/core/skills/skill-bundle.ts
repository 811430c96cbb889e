import { unzipSync } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { invalidRequest } from '../errors.js';

/** One uploaded part of a skill: its path as sent (the multipart filename) and its bytes. */
export interface SkillUpload {
  filename: string;
  bytes: Uint8Array;
}

/** A bundle that passed every check: files keyed by their path under the top-level directory. */
export interface SkillBundle {
  /** The one top-level directory every uploaded path shared. */
  directory: string;
  /** From SKILL.md's front matter (or the directory when the front matter has no `name`). */
  name: string;
  description: string;
  /** Path relative to the top-level directory (`SKILL.md`, `scripts/run.sh`) → bytes. */
  files: Map<string, Uint8Array>;
  totalBytes: number;
}

export interface SkillBundleLimits {
  /** Largest bundle, counted as the files' uncompressed bytes (PADDOCK_SKILL_MAX_BYTES). */
  maxBytes: number;
  /** Most files in one bundle (PADDOCK_SKILL_MAX_FILES). */
  maxFiles: number;
}

/** The Agent Skills rules for `name` and `description` (the hosted product's published limits). */
export const SKILL_NAME_MAX = 64;
export const SKILL_DESCRIPTION_MAX = 1024;
const SKILL_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const RESERVED_WORDS = ['anthropic', 'claude'];
const MAX_PATH_LENGTH = 1024;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

const bad = (message: string) => invalidRequest(`files: ${message}`, { errorCode: 'invalid_skill_bundle' });

/**
 * Checks an upload the way the SDK sends it (one `files[]` part per file, each named by its path
 * under one top-level directory), or a single zip archive of such a tree, and reads SKILL.md's
 * front matter. Every refusal is a 400 naming `files` and what is wrong.
 */
export function readSkillBundle(uploads: readonly SkillUpload[], limits: SkillBundleLimits): SkillBundle {
  if (uploads.length === 0) throw bad('required: send the skill\'s files as "files[]" parts');
  const single = uploads.length === 1 ? uploads[0] : undefined;
  const entries = single && isZip(single) ? expandZip(single, limits) : uploads;
  if (entries.length > limits.maxFiles)
    throw bad(`${entries.length} files; a skill holds at most ${limits.maxFiles}`);
  let totalBytes = 0;
  let directory: string | undefined;
  const files = new Map<string, Uint8Array>();
  for (const entry of entries) {
    const segments = checkedPath(entry.filename);
    const [top, ...rest] = segments;
    if (top === undefined || rest.length === 0)
      throw bad(
        `"${entry.filename}" is not inside a top-level directory; put every file under one directory`,
      );
    if (directory !== undefined && top !== directory)
      throw bad(
        `all files must be under one top-level directory; found "${directory}/" and "${top}/" (${entry.filename})`,
      );
    directory = top;
    const relative = rest.join('/');
    if (files.has(relative)) throw bad(`"${entry.filename}" is sent twice`);
    totalBytes += entry.bytes.byteLength;
    if (totalBytes > limits.maxBytes)
      throw bad(`the skill is larger than this server's limit of ${limits.maxBytes} bytes`);
    files.set(relative, entry.bytes);
  }
  if (directory === undefined) throw bad('no files');
  const skillMd = files.get('SKILL.md');
  if (!skillMd) throw bad(`no SKILL.md at the top of the skill (expected "${directory}/SKILL.md")`);
  const { name, description } = frontMatter(skillMd, directory);
  return { directory, name, description, files, totalBytes };
}

/** Path segments of an upload's name; refuses absolute paths, traversal and odd bytes. */
function checkedPath(filename: string): string[] {
  const shown = JSON.stringify(filename);
  if (filename === '') throw bad('a file part has no filename; name each part by its path in the skill');
  if (filename.length > MAX_PATH_LENGTH)
    throw bad(`${shown.slice(0, 80)}…: path longer than ${MAX_PATH_LENGTH}`);
  if (filename.includes('\\') || [...filename].some((char) => char.charCodeAt(0) < 0x20))
    throw bad(`${shown}: control characters and backslashes are not allowed`);
  if (filename.startsWith('/') || /^[A-Za-z]:/.test(filename))
    throw bad(`${shown}: absolute paths are not allowed; use paths relative to the skill's directory`);
  const segments = filename.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.'))
    throw bad(`${shown}: "." and ".." path segments are not allowed`);
  if (segments.some((segment) => segment === '')) throw bad(`${shown}: empty path segment`);
  return segments;
}

function isZip(upload: SkillUpload): boolean {
  return ZIP_MAGIC.every((byte, index) => upload.bytes[index] === byte);
}

/** A zip's files, refused before inflating when what they declare passes the limits (a zip bomb). */
function expandZip(upload: SkillUpload, limits: SkillBundleLimits): SkillUpload[] {
  let declared = 0;
  let count = 0;
  let expanded: Record<string, Uint8Array>;
  try {
    expanded = unzipSync(upload.bytes, {
      filter(file) {
        if (file.name.endsWith('/')) return false;
        count += 1;
        declared += file.originalSize;
        if (count > limits.maxFiles)
          throw bad(`the archive holds more than ${limits.maxFiles} files, this server's limit`);
        if (declared > limits.maxBytes)
          throw bad(
            `the archive expands to more than this server's limit of ${limits.maxBytes} bytes (refused before extracting)`,
          );
        return true;
      },
    });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('files:')) throw error;
    throw bad(
      `${JSON.stringify(upload.filename)} is not a readable zip archive (${(error as Error).message})`,
    );
  }
  return Object.entries(expanded).map(([filename, bytes]) => ({ filename, bytes }));
}

/** `name` and `description` from SKILL.md's YAML front matter (the Agent Skills format). */
function frontMatter(bytes: Uint8Array, directory: string): { name: string; description: string } {
  const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match)
    throw bad('SKILL.md has no YAML front matter: start it with "---", name and description, "---"');
  let parsed: unknown;
  try {
    parsed = parseYaml(match[1] ?? '');
  } catch (error) {
    throw bad(`SKILL.md front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw bad('SKILL.md front matter must be a YAML mapping with name and description');
  const fields = parsed as Record<string, unknown>;
  const name = fields['name'] === undefined ? directory : fields['name'];
  if (typeof name !== 'string' || !SKILL_NAME_PATTERN.test(name) || name.length > SKILL_NAME_MAX)
    throw bad(
      `SKILL.md front matter name ${JSON.stringify(name)}: lowercase letters, digits and hyphens, at most ${SKILL_NAME_MAX} characters`,
    );
  const reserved = RESERVED_WORDS.find((word) => name.includes(word));
  if (reserved)
    throw bad(`SKILL.md front matter name "${name}": may not contain the reserved word "${reserved}"`);
  const description = fields['description'];
  if (typeof description !== 'string' || description.trim() === '')
    throw bad('SKILL.md front matter needs a non-empty description (what the skill does and when to use it)');
  if (description.length > SKILL_DESCRIPTION_MAX)
    throw bad(`SKILL.md front matter description is longer than ${SKILL_DESCRIPTION_MAX} characters`);
  return { name, description: description.trim() };
}
