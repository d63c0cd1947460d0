import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The installation's root: the nearest folder above this file whose package.json is opsledger's
 * (not dist/, where the compiler puts a copy of package.json beside the compiled code).
 */
function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (path.basename(dir) !== 'dist' && existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'opsledger') return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** Where `npm run build` puts the console (vite's outDir), unless CONSOLE_DIR says otherwise. */
export function consoleDir(configured: string | undefined): string {
  return path.resolve(configured ?? path.join(packageRoot(), 'dist', 'console'));
}
