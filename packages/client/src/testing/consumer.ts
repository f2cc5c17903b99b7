// Test helpers for "installable anywhere": pack a workspace package as npm would publish it, and a
// throwaway project outside the repository that installs tarballs (no workspace links), compiles
// with plain tsc and runs with plain node. Exported to this repo only (@querylane/source).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Packed {
  tarball: string;
  /** Bytes of the .tgz, and of its files unpacked. */
  size: number;
  unpackedSize: number;
  files: string[];
}

/**
 * npm_* variables of the `npm test` that runs us (a workspace, a local prefix) would make the
 * child npm act on the repository instead of the throwaway project.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'),
  );
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `npm pack` of a built package; scripts are skipped (turbo built it before the tests). */
export function pack(packageDir: string, into: string): Packed {
  const [info] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', into], packageDir),
  ) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed nothing for ${packageDir}`);
  return {
    tarball: join(into, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files.map((f) => f.path).sort(),
  };
}

export interface Consumer {
  dir: string;
  /** `npm install`, from npm's cache where it can (the repo's install filled it). */
  install(): void;
  /** The project's own tsc with one of its tsconfig files; its output, or throws on errors. */
  tsc(project: string): string;
  /** Plain node on a file of the project; stdout. */
  node(file: string, args: string[]): Promise<string>;
  /** Every package installed under `name` (itself and `except` left out), from `npm ls`. */
  dependenciesOf(name: string, except?: string[]): string[];
  remove(): void;
}

export function consumerProject(files: Record<string, string>): Consumer {
  // os.tmpdir(), not under the repository: nothing of the workspace is visible from there.
  const dir = mkdtempSync(join(tmpdir(), 'querylane-consumer-'));
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return {
    dir,
    install() {
      npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    },
    tsc(project) {
      try {
        const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
        return execFileSync(process.execPath, [tsc, '-p', project], {
          cwd: dir,
          encoding: 'utf8',
        });
      } catch (err) {
        const { stdout, stderr } = err as { stdout?: string; stderr?: string };
        throw new Error(`tsc -p ${project} failed:\n${stdout ?? ''}${stderr ?? ''}`);
      }
    },
    node(file, args) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [file, ...args], { cwd: dir, env: cleanEnv() });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        child.once('error', reject);
        child.once('close', (code) => {
          if (code === 0) resolve(stdout);
          else reject(new Error(`node ${file} exited ${code}:\n${stderr}${stdout}`));
        });
      });
    },
    dependenciesOf(name, except = []) {
      type Tree = { dependencies?: Record<string, Tree> };
      const tree = JSON.parse(npm(['ls', '--all', '--json'], dir)) as Tree;
      const found = new Set<string>();
      const walk = (node: Tree | undefined) => {
        for (const [dep, child] of Object.entries(node?.dependencies ?? {})) {
          if (found.has(dep) || except.includes(dep)) continue;
          found.add(dep);
          walk(child);
        }
      };
      walk(tree.dependencies?.[name]);
      return [...found].sort();
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Throws unless the package was built. Freshness is turbo's job (`test` depends on `build`, keyed
 * on the sources' content); file times cannot tell, as a checkout or rebase touches every file.
 */
export function assertBuilt(built: string, buildCommand: string): void {
  if (!existsSync(built)) throw new Error(`${built} is missing: run ${buildCommand} first.`);
}
