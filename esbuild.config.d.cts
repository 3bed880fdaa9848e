import type { BuildOptions } from 'esbuild';

/** serverless-esbuild's options (see esbuild.config.cjs). */
declare function serverlessEsbuildOptions(): Omit<BuildOptions, 'external'> & {
  exclude: string[];
  outputWorkFolder: string;
};

declare namespace serverlessEsbuildOptions {
  /** The esbuild options every function bundle is built with. */
  const esbuildOptions: BuildOptions;
}

export = serverlessEsbuildOptions;
