import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * README.md and README.zh-CN.md must not drift from each other or from the code: both
 * document the same endpoints (as `METHOD /path` in headings or table rows), the same
 * environment variables (the first cell of a table row, as `NAME`), in the same section
 * structure; and those lists match what the project really has, read from its files:
 * every HTTP and WebSocket route of serverless.yml is documented, and the documented
 * variables are exactly those of lib/config.ts's environment schema, serverless.yml's
 * `${env:…}` references, .env.example, and what the bundler, scripts and benchmark read.
 */

const projectRoot = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(projectRoot, path), 'utf8');
const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

const readmes = {
  'README.md': read('README.md'),
  'README.zh-CN.md': read('README.zh-CN.md'),
};
type ReadmeName = keyof typeof readmes;
const readmeNames = Object.keys(readmes) as ReadmeName[];

/** The Markdown's lines outside fenced code blocks. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

const headingLine = /^#{1,6}\s/;
const tableRow = /^\s*\|/;
const endpointPattern = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[\w.\-/{}+]*)/g;

/** `METHOD /path` (query strings left out) in headings and table rows, in document order. */
function documentedEndpoints(markdown: string): string[] {
  return proseLines(markdown)
    .filter((line) => headingLine.test(line) || tableRow.test(line))
    .flatMap((line) =>
      [...line.matchAll(endpointPattern)].map(([, method, path]) => `${method} ${path}`),
    );
}

/** Endpoints named by headings only, in order: the reference's own sequence. */
function endpointHeadings(markdown: string): string[] {
  return proseLines(markdown)
    .filter((line) => headingLine.test(line))
    .flatMap((line) =>
      [...line.matchAll(endpointPattern)].map(([, method, path]) => `${method} ${path}`),
    );
}

/** Table rows whose first cell is a backticked SCREAMING_CASE name: the configuration table. */
function documentedVariables(markdown: string): string[] {
  return proseLines(markdown).flatMap((line) => {
    const match = /^\s*\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line);
    return match?.[1] === undefined ? [] : [match[1]];
  });
}

/** Heading levels in order (1 for `#`, 2 for `##`…): the two READMEs share one outline. */
function outline(markdown: string): number[] {
  return proseLines(markdown)
    .filter((line) => headingLine.test(line))
    .map((line) => /^#+/.exec(line)?.[0].length ?? 0);
}

// serverless.yml, read with the YAML library serverless itself uses. CloudFormation tags
// (!Ref, !Join…) are kept as plain values: only the routes and `${env:…}` matter here.
interface JsYaml {
  load(text: string, options?: { schema?: unknown }): unknown;
  Type: new (
    tag: string,
    options: {
      kind: 'scalar' | 'sequence' | 'mapping';
      multi?: boolean;
      construct?: (data: unknown) => unknown;
    },
  ) => unknown;
  DEFAULT_SCHEMA: { extend(types: unknown[]): unknown };
}
const yaml = createRequire(join(projectRoot, 'node_modules/serverless/package.json'))(
  'js-yaml',
) as JsYaml;
const anyTag = (['scalar', 'sequence', 'mapping'] as const).map(
  (kind) => new yaml.Type('!', { kind, multi: true, construct: (data) => data }),
);
const serverlessYmlText = read('serverless.yml');
const serverlessYml = yaml.load(serverlessYmlText, {
  schema: yaml.DEFAULT_SCHEMA.extend(anyTag),
}) as { functions?: Record<string, { events?: Record<string, unknown>[] }> };
const events = Object.values(serverlessYml.functions ?? {}).flatMap(
  (definition) => definition.events ?? [],
);

/** serverless.yml's HTTP routes as `METHOD /path` (both the object and the string form). */
const httpRoutes = sorted(
  events.flatMap(({ httpApi }) => {
    if (typeof httpApi === 'string') {
      // `*` is the catch-all ($default): not an endpoint (the error table names its codes).
      if (httpApi.trim() === '*') return [];
      const [method = '', path = ''] = httpApi.trim().split(/\s+/);
      return [`${method.toUpperCase()} ${path}`];
    }
    if (httpApi && typeof httpApi === 'object') {
      const { method, path } = httpApi as { method?: unknown; path?: unknown };
      return [`${String(method).toUpperCase()} ${String(path)}`];
    }
    return [];
  }),
);

/** serverless.yml's WebSocket routes ($connect, ping…). */
const websocketRoutes = sorted(
  events.flatMap(({ websocket }) => {
    if (typeof websocket === 'string') return [websocket];
    if (websocket && typeof websocket === 'object') {
      return [String((websocket as { route?: unknown }).route)];
    }
    return [];
  }),
);

/** Every variable the project reads, from the files that read it. */
function knownVariables(): Record<string, string[]> {
  const configSource = read('lib/config.ts');
  const schemaStart = configSource.indexOf('const environmentSchema = z.object({');
  const schemaEnd = configSource.indexOf('\n});', schemaStart);
  if (schemaStart < 0 || schemaEnd < 0) {
    throw new Error('lib/config.ts: environmentSchema = z.object({…}) not found');
  }
  const schemaKeys = [
    ...configSource.slice(schemaStart, schemaEnd).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm),
  ].map(([, key = '']) => key);

  const serverlessReferences = [
    ...serverlessYmlText
      .split('\n')
      .filter((line) => !/^\s*#/.test(line))
      .join('\n')
      .matchAll(/\benv:([A-Z][A-Z0-9_]*)/g),
  ].map(([, name = '']) => name);

  const envExample = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map(
    ([, name = '']) => name,
  );

  const readers = [
    'esbuild.config.cjs',
    ...['scripts', 'bench'].flatMap((folder) =>
      readdirSync(join(projectRoot, folder))
        .filter((file) => /\.(ts|cjs|js)$/.test(file) && !/\.test\.ts$/.test(file))
        .map((file) => `${folder}/${file}`),
    ),
  ];
  const processEnv = readers.flatMap((file) =>
    [
      ...read(file).matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g),
    ].map(([, dotted, indexed]) => dotted ?? indexed ?? ''),
  );

  return {
    'lib/config.ts environmentSchema': schemaKeys,
    'serverless.yml ${env:…}': serverlessReferences,
    '.env.example': envExample,
    'process.env in esbuild.config.cjs, scripts/, bench/': processEnv,
  };
}

describe('README.md and README.zh-CN.md', () => {
  it.each(readmeNames)('%s links to the other at its top', (name) => {
    const other = readmeNames.find((candidate) => candidate !== name) ?? '';
    const top = readmes[name].split('\n').slice(0, 5).join('\n');
    expect(top).toContain(`](${other})`);
  });

  it('have the same outline (heading levels in the same order)', () => {
    expect(outline(readmes['README.zh-CN.md'])).toEqual(outline(readmes['README.md']));
  });

  it('document the same endpoints, with the reference in the same order', () => {
    expect(sorted(documentedEndpoints(readmes['README.zh-CN.md']))).toEqual(
      sorted(documentedEndpoints(readmes['README.md'])),
    );
    expect(endpointHeadings(readmes['README.zh-CN.md'])).toEqual(
      endpointHeadings(readmes['README.md']),
    );
  });

  it('document the same environment variables, in the same order', () => {
    expect(documentedVariables(readmes['README.zh-CN.md'])).toEqual(
      documentedVariables(readmes['README.md']),
    );
  });

  it.each(readmeNames)('%s documents every HTTP route of serverless.yml', (name) => {
    expect(httpRoutes.length).toBeGreaterThan(15);
    const documented = new Set(documentedEndpoints(readmes[name]));
    expect(httpRoutes.filter((route) => !documented.has(route))).toEqual([]);
  });

  it.each(readmeNames)('%s names every WebSocket route of serverless.yml', (name) => {
    expect(websocketRoutes.length).toBeGreaterThan(0);
    const prose = proseLines(readmes[name]).join('\n');
    expect(websocketRoutes.filter((route) => !prose.includes(`\`${route}\``))).toEqual([]);
  });

  it.each(readmeNames)('%s documents every error code of lib/errors.ts', (name) => {
    const errorsSource = read('lib/errors.ts');
    const block = /export const errorStatus = \{([\s\S]*?)\n\}/.exec(errorsSource)?.[1] ?? '';
    const codes = [...block.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map(([, code = '']) => code);
    expect(codes.length).toBeGreaterThan(10);
    const prose = proseLines(readmes[name]).join('\n');
    expect(codes.filter((code) => !prose.includes(`\`${code}\``))).toEqual([]);
  });

  it.each(readmeNames)(
    '%s documents exactly the environment variables the project reads',
    (name) => {
      const documented = new Set(documentedVariables(readmes[name]));
      const sources = knownVariables();
      for (const [source, variables] of Object.entries(sources)) {
        expect({
          source,
          undocumented: sorted(variables.filter((v) => !documented.has(v))),
        }).toEqual({ source, undocumented: [] });
      }
      const known = new Set(Object.values(sources).flat());
      expect(sorted([...documented].filter((variable) => !known.has(variable)))).toEqual([]);
      expect(documentedVariables(readmes[name])).toHaveLength(documented.size);
    },
  );
});
