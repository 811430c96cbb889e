import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createModelRouter } from '../../src/providers/model-router.js';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';

const config = (routes: string, openaiBaseUrl = 'http://127.0.0.1:11434/v1') =>
  loadConfig({ PADDOCK_MODEL_ROUTES: routes, PADDOCK_OPENAI_BASE_URL: openaiBaseUrl });

test('routes everything to anthropic by default', () => {
  const router = createModelRouter(config(''));
  assert.equal(router.providerFor('claude-sonnet-4-5').name, 'anthropic');
  assert.equal(router.providerFor('llama3').name, 'anthropic');
});

test('exact ids beat globs, longer globs beat shorter ones, * is the fallback', () => {
  const router = createModelRouter(
    config('*=scripted,claude-*=anthropic,llama*=openai-compatible,claude-test=scripted'),
  );
  assert.equal(router.providerFor('claude-test').name, 'scripted');
  assert.equal(router.providerFor('claude-opus-4').name, 'anthropic');
  assert.equal(router.providerFor('llama3.1:8b').name, 'openai-compatible');
  assert.equal(router.providerFor('gpt-oss').name, 'scripted');
});

test('uses injected providers and builds each provider once', () => {
  const scripted = createScriptedProvider();
  const router = createModelRouter(config('a=scripted,b=scripted'), { providers: { scripted } });
  assert.equal(router.providerFor('a'), scripted);
  assert.equal(router.providerFor('b'), scripted);
});

test('fails at startup on an unknown provider name', () => {
  assert.throws(
    () => createModelRouter(config('claude-*=bedrock')),
    /unknown provider "bedrock".*anthropic, openai-compatible, scripted/,
  );
});

test('fails at startup when openai-compatible has no base URL', () => {
  assert.throws(() => createModelRouter(config('*=openai-compatible', '')), /PADDOCK_OPENAI_BASE_URL/);
});
