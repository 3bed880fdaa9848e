import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The product's documents point only inside the repository: everything a reader needs
 * ships with it. No Markdown or HTML link, and no `../…` path in the text, may lead out of
 * the project folder (such as the contract a workspace keeps beside it), and no link may
 * name a local file by absolute path or `file:` URL. Web links (https:, mailto:) are fine.
 */
const projectRoot = resolve(__dirname, '../..');

function markdownUnder(folder: string): string[] {
  const path = join(projectRoot, folder);
  if (!existsSync(path)) return [];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(folder, name));
}

const documents = [
  'README.md',
  'README.zh-CN.md',
  'bench/README.md',
  ...markdownUnder('docs'),
  // The reference documents: their descriptions come from lib/api and functions/.
  'openapi.json',
  'asyncapi.json',
  '.env.example',
  'web/demo.html',
];

/** The places in `text` that lead outside the repository, for a document at `path`. */
function outsideReferences(path: string, text: string): string[] {
  const folder = dirname(join(projectRoot, path));
  const found: string[] = [];
  const leavesRoot = (target: string) => {
    const relativePath = relative(projectRoot, resolve(folder, target.split(/[#?]/)[0] ?? ''));
    return relativePath === '..' || relativePath.startsWith(`..${sep}`);
  };
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)/g)].map((match) => match[1] ?? ''),
    ...[...text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)].map((match) => match[1] ?? ''),
  ];
  for (const target of targets) {
    if (/^file:/i.test(target) || target.startsWith('/') || target.startsWith('\\\\')) {
      found.push(target);
    } else if (!/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#')) {
      if (leavesRoot(target)) found.push(target);
    }
  }
  // Paths named in the text, linked or not: `../shared/api.md` (not `a/../b` inside a name).
  for (const [mention] of text.matchAll(/(?<![\w/.])(?:\.\.[/\\])+[^\s)`'"<>\]]*/g)) {
    if (leavesRoot(mention)) found.push(mention);
  }
  return [...new Set(found)];
}

it('finds links and paths that leave the repository', () => {
  expect(
    outsideReferences(
      'bench/README.md',
      'See [the contract](../../shared/api.md), `../../shared/api.md`, [x](/work/shared/api.md), <a href="file:///etc/passwd">, [ok](../README.md#top), [web](https://example.com), [here](#benchmarks)',
    ),
  ).toEqual(['../../shared/api.md', '/work/shared/api.md', 'file:///etc/passwd']);
});

it.each(documents.filter((path) => existsSync(join(projectRoot, path))))(
  '%s points only inside the repository',
  (path) => {
    const text = readFileSync(join(projectRoot, path), 'utf8');
    expect(outsideReferences(path, text)).toEqual([]);
  },
);
