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
  logLevel: 'warning',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __paddockRequire } from 'node:module'; const require = __paddockRequire(import.meta.url);",
  },
});
