// Bundles the server into dist/ with esbuild (run by `npm ci` through `prepare`, and by `npm run build`).
// One bundle with lazily loaded chunks starts in well under a second: loading hundreds of small ESM
// files from node_modules took most of the start-up time. Native and optional drivers stay external.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: without this, every rebuild would leave the old chunks behind.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Comments dropped, whitespace squeezed: V8 keeps each loaded chunk's source in the heap, and a
  // single non-Latin-1 character in a comment (an arrow, an ellipsis) made it a two-byte string,
  // doubling it (issue #21: 15 of the 36 MiB idle heap were chunk sources). Names are kept, and
  // stack traces map back through the source maps (node --enable-source-maps).
  minifyWhitespace: true,
  logLevel: 'warning',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __paddockRequire } from 'node:module'; const require = __paddockRequire(import.meta.url);",
  },
});
