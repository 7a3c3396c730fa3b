// The staff console: Preact pages built into dist/console and served by the API at /console.
import path from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/console/',
  // Preact's JSX runtime without a Babel-based plugin: the bundler's own JSX transform does it.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.resolve(here, '..', 'dist', 'console'),
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows no inline script, so no inline module-preload polyfill either.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
  },
});
