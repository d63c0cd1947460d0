import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { replaceConfigTable } from '../config/config-table';

/** Rewrites the README's configuration table from src/config. */
const file = path.resolve(__dirname, '../../README.md');
writeFileSync(file, replaceConfigTable(readFileSync(file, 'utf8')));
process.stdout.write(`updated the configuration table in ${file}\n`);
