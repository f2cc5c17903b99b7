// Workspace packages that npm also gets as a build (@querylane/client, @querylane/react) point the
// `@querylane/source` export condition at their TypeScript source. tsc reads the condition from
// tsconfig.base.json (customConditions); Vite and Vitest configs spread this, so tests and the
// SPA run the source, never a stale dist/. The rest of each list is Vite's default.
export const SOURCE_CONDITION = '@querylane/source';

export const sourceConditions = {
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'] } },
};
