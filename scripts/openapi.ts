/**
 * `npm run openapi`: writes openapi.json and asyncapi.json, the API reference generated from
 * the code (see scripts/api-reference.ts). Both are committed, served by their functions
 * (GET /api/openapi.json, /api/asyncapi.json), and a test fails when they are out of date.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  // The function modules check their configuration when loaded; nothing is signed here.
  process.env.JWT_SECRET_KEY ??= randomBytes(32).toString('hex');
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { asyncApi, documentText, openApi } = await import('./api-reference');
  const root = join(__dirname, '..');
  for (const [file, document] of [
    ['openapi.json', openApi()],
    ['asyncapi.json', asyncApi()],
  ] as const) {
    writeFileSync(join(root, file), documentText(document));
    console.log(`wrote ${file}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
