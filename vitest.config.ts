import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/core-native', 'packages/openai-wrapper', 'packages/langchain-plugin', 'tools/mock-openai-server', 'examples'],
  },
});
