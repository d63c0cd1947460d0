import { defineConfig } from 'vite';

/**
 * The console is built into dist/console, which the service serves at / (same origin as the API).
 * JSX goes through Vite's own transformer (no React plugin: no Fast Refresh, nothing else lost).
 * `npm run console:dev` proxies the API to a service on 127.0.0.1:3000.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One chunk on purpose (docs/adr/0010: 412 kB raw, 127 kB gzipped with the holds, maintenance and SLO pages): warn when it grows past that by much.
    chunkSizeWarningLimit: 450,
    rolldownOptions: {
      // TanStack Query marks its hooks "use client" for React Server Components; meaningless in a browser bundle.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
