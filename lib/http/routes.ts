/**
 * The API's routes as the OpenAPI document lists them. That document is generated from the
 * `api` metadata every function in functions/ exports, and a test keeps it equal to
 * serverless.yml's routes: one source of truth, read here by the catch-all route
 * (functions/system/fallback.ts) without bundling every function.
 */
export interface Route {
  /** The path template, as in the document (`/api/docs/{file}`). */
  path: string;
  /** The methods it answers, upper case, sorted. */
  methods: string[];
  pattern: RegExp;
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch']);

function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (/^\{[^}]+\+\}$/.test(part)) return '.+';
      if (/^\{[^}]+\}$/.test(part)) return '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** The routes of an OpenAPI document's `paths`. */
export function routesOf(document: { paths?: Record<string, object> }): Route[] {
  return Object.entries(document.paths ?? {}).map(([path, item]) => ({
    path,
    methods: Object.keys(item)
      .filter((key) => httpMethods.has(key))
      .map((key) => key.toUpperCase())
      .sort(),
    pattern: templatePattern(path),
  }));
}

/** The route whose template matches `path` (a literal route before a template). */
export function routeFor(routes: readonly Route[], path: string): Route | undefined {
  const matching = routes.filter((route) => route.pattern.test(path));
  return matching.find((route) => !route.path.includes('{')) ?? matching[0];
}
