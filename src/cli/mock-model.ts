import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startScriptedModelServer } from '../providers/scripted/scripted-model-server.js';
import { parseScript, type ScriptedTurn } from '../providers/scripted/scripted-turn.js';

/** `paddock mock-model`: the scripted model server as a standalone process (test mode). */
export async function runMockModel(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' }, script: { type: 'string' } },
    strict: true,
  });
  const port = Number(values.port ?? '4010');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: invalid port ${values.port}`);
  let turns: ScriptedTurn[] = [];
  if (values.script !== undefined) {
    const text = await readFile(values.script, 'utf8');
    try {
      turns = parseScript(JSON.parse(text));
    } catch (error) {
      throw new Error(`--script ${values.script}: ${(error as Error).message}`);
    }
  }
  const server = await startScriptedModelServer({ port, host: values.host ?? '127.0.0.1', turns });
  process.stdout.write(
    [
      `paddock mock-model listening on ${server.url} (${turns.length} scripted turns; then it echoes)`,
      '',
      'Point Paddock at it:',
      `  PADDOCK_ANTHROPIC_BASE_URL=${server.url} paddock serve`,
      'or, for the openai-compatible provider:',
      `  PADDOCK_OPENAI_BASE_URL=${server.url}/v1 PADDOCK_MODEL_ROUTES='*=openai-compatible' paddock serve`,
      '',
      `Add turns:      curl -X POST ${server.url}/_scripted/turns -H 'content-type: application/json' -d @turns.json`,
      `Reset:          curl -X DELETE ${server.url}/_scripted/turns`,
      `Seen requests:  curl ${server.url}/_scripted/requests`,
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
