import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/core-native', 'packages/openai-wrapper', 'tools/mock-openai-server', 'examples'],
  },
});
