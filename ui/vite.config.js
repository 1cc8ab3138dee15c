import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// `npm run build` writes dist/, which nginx serves (tools/ui.sh); in
// development (`npm run dev`) /api/ goes to a PostgREST named by API_URL.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: {
      '/api': {
        target: process.env.API_URL || 'http://127.0.0.1:3000',
        rewrite: (p) => p.replace(/^\/api/, ''),
      },
    },
  },
});
