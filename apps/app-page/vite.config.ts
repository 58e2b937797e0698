import bitrix24UIPluginVite from '@bitrix24/b24ui-nuxt/vite';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The app page's front end: Vue + Bitrix24's UI kit in its Vite mode. Hashed file names under /app-assets/
// let the server cache them for a year; index.html is only a template the server fills per request.
export default defineConfig({
  base: '/app-assets/',
  plugins: [
    // No prose / MDC components (on by default, registered globally: a third of the first load), no color mode.
    vue(),
    bitrix24UIPluginVite({ router: false, colorMode: false, prose: false, mdc: false }),
  ],
  build: { outDir: 'dist', manifest: true, assetsDir: '.', sourcemap: false, target: 'es2022' },
});
