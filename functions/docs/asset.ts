import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { documentEndpoint } from '../../lib/http/document';
import { shippedFile } from '../../lib/http/static';

/** The page's files: Swagger UI's, shipped beside this function (serverless.yml package.patterns). */
const assets = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const;
type Asset = keyof typeof assets;
const assetNames = Object.keys(assets) as [Asset, ...Asset[]];

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/docs/{file}',
  tag: 'Reference',
  summary: "The interactive reference's files",
  pathParameters: z.object({ file: z.enum(assetNames) }),
  document: {
    description: 'The file.',
    contentTypes: [...new Set(Object.values(assets).map((type) => type.split(';')[0] as string))],
    notFound: 'No such file.',
  },
};

const isAsset = (file: string | undefined): file is Asset =>
  file !== undefined && Object.hasOwn(assets, file);

/** GET /api/docs/{file}: Swagger UI's script, style sheet and icon (URLs carry its version). */
export const handler = documentEndpoint((event) => {
  const file = event.pathParameters?.file;
  if (!isAsset(file)) return undefined;
  return {
    body: shippedFile(`node_modules/swagger-ui-dist/${file}`),
    contentType: assets[file],
    cacheControl: 'public, max-age=86400',
  };
});
