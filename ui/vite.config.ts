/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app is served by Tauri from ui/dist (tauri.conf.json `build.frontendDist`).
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.50 / WebView2 / WKWebView on supported systems.
    target: ['es2022', 'safari16'],
    // One CSS file and no inlined assets: the CSP allows 'self' only (no data: fonts).
    assetsInlineLimit: 0,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    restoreMocks: true,
    // Generous: a 2-core CI machine also builds Rust; the tests assert behaviour, not speed.
    testTimeout: 20_000,
  },
});
