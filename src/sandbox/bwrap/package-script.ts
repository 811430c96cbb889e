import { createHash } from 'node:crypto';
import type { SandboxSpec } from '../../core/ports/sandbox.js';

/** A sandbox spec's package lists by manager (an environment's `Packages` without its `type`). */
export type PackageLists = NonNullable<SandboxSpec['packages']>;
export const MANAGERS = ['apt', 'npm', 'pip', 'cargo', 'gem', 'go'] as const;

// Bump when BUILD_SCRIPT changes in a way that should rebuild cached layers.
const FORMAT = 1;
/** npm is bootstrapped from its registry tarball: Debian's `npm` package pulls ~300 packages (~4 min). */
const NPM_VERSION = '10.9.2';
// A name, optionally with a version/spec; never an option (leading `-`), never whitespace or quotes.
const PACKAGE = /^[A-Za-z0-9@][A-Za-z0-9@._+:/=<>~^*!-]{0,213}$/;

/** Sorted, de-duplicated, validated; undefined when there is nothing to install. */
export function normalizePackages(packages: SandboxSpec['packages']): PackageLists | undefined {
  const out: PackageLists = {};
  let any = false;
  for (const manager of MANAGERS) {
    const names = [...new Set(packages?.[manager] ?? [])].sort();
    for (const name of names)
      if (!PACKAGE.test(name))
        throw new Error(`packages.${manager}: invalid package ${JSON.stringify(name)}`);
    if (names.length > 0) {
      out[manager] = names;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** The cache key: the same packages on the same base always give the same layer. */
export function layerHash(base: string, packages: PackageLists): string {
  const key = JSON.stringify({ FORMAT, NPM_VERSION, base, packages });
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** `apt:jq npm:is-number …`: the build script's argv (names are never interpolated into the script). */
export function buildArgs(packages: PackageLists): string[] {
  return MANAGERS.flatMap((manager) => (packages[manager] ?? []).map((name) => `${manager}:${name}`));
}

/**
 * Runs inside the build sandbox (its root is the layer being built over the
 * base). Installs what the managers themselves need via apt first, then each
 * manager's packages system-wide, and drops caches so the layer stays small.
 */
export const BUILD_SCRIPT = `set -euo pipefail
apt=(); npm=(); pip=(); cargo=(); gem=(); go=()
for arg in "$@"; do
  case "$arg" in
    apt:*) apt+=("\${arg#apt:}") ;; npm:*) npm+=("\${arg#npm:}") ;; pip:*) pip+=("\${arg#pip:}") ;;
    cargo:*) cargo+=("\${arg#cargo:}") ;; gem:*) gem+=("\${arg#gem:}") ;; go:*) go+=("\${arg#go:}") ;;
  esac
done
need=("\${apt[@]}")
[ \${#npm[@]} -eq 0 ] || command -v node >/dev/null || need+=(nodejs)
[ \${#pip[@]} -eq 0 ] || command -v pip3 >/dev/null || need+=(python3-pip)
[ \${#cargo[@]} -eq 0 ] || command -v cargo >/dev/null || need+=(cargo)
[ \${#gem[@]} -eq 0 ] || command -v gem >/dev/null || need+=(ruby)
[ \${#go[@]} -eq 0 ] || command -v go >/dev/null || need+=(golang-go ca-certificates)
if [ \${#need[@]} -gt 0 ]; then
  echo "== apt: \${need[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "\${need[@]}"
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log
fi
if [ \${#npm[@]} -gt 0 ]; then
  echo "== npm: \${npm[*]}"
  npm_cli=(npm)
  if ! command -v npm >/dev/null; then
    mkdir -p /usr/local/lib/npm
    curl -fsSL https://registry.npmjs.org/npm/-/npm-${NPM_VERSION}.tgz | tar -xz -C /usr/local/lib/npm --strip-components=1
    ln -s ../lib/npm/bin/npm-cli.js /usr/local/bin/npm
    npm_cli=(node /usr/local/lib/npm/bin/npm-cli.js)
  fi
  "\${npm_cli[@]}" install --global --prefix /usr/local --no-fund --no-audit --no-update-notifier -- "\${npm[@]}"
  rm -rf /root/.npm
fi
if [ \${#pip[@]} -gt 0 ]; then
  echo "== pip: \${pip[*]}"
  pip3 install --no-cache-dir --break-system-packages -- "\${pip[@]}"
fi
if [ \${#cargo[@]} -gt 0 ]; then
  echo "== cargo: \${cargo[*]}"
  CARGO_HOME=/tmp/cargo cargo install --root /usr/local "\${cargo[@]}"
fi
if [ \${#gem[@]} -gt 0 ]; then
  echo "== gem: \${gem[*]}"
  gem install --no-document "\${gem[@]}"
fi
if [ \${#go[@]} -gt 0 ]; then
  echo "== go: \${go[*]}"
  GOBIN=/usr/local/bin GOPATH=/tmp/go GOCACHE=/tmp/go-cache go install "\${go[@]}"
fi
echo "== done"
`;
