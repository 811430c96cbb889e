import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toFile } from '@anthropic-ai/sdk';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import {
  createLimitedEnvironment,
  createToolsetAgent,
  startBwrapSessionServer,
  toolOutput,
} from '../support/bwrap-sessions.js';
import { DIALECTS } from '../support/databases.js';
import { runTurn } from '../support/harness-fixture.js';
import type { TestServer } from '../support/server.js';
import { bwrapCase } from './drivers.js';

/**
 * A skill in a real bwrap sandbox, driven by the scripted model: the system prompt names it, the
 * model reads its SKILL.md with bash at /mnt/skills/<name>/, and cannot write there.
 */
const bwrap = await bwrapCase();
const skip = bwrap.skip ?? (process.getuid?.() === 0 ? undefined : 'runs the bwrap driver as root');

const SKILL_MD =
  '---\nname: invoice-checker\ndescription: Checks invoices for arithmetic errors. Use when an invoice is mentioned.\n---\n\n# Invoice checker\n\nRun scripts/check.sh on the invoice.\n';

const bashTurn = (command: string, marker: string): ScriptedTurn[] => [
  { match: marker, content: [{ type: 'tool_use', name: 'bash', input: { command } }] },
  { content: [{ type: 'text', text: 'done' }] },
];

for (const dialect of DIALECTS) {
  describe(`skills mounted in bwrap sandboxes (${dialect})`, { skip }, () => {
    let model: ScriptedModelServer;
    let server: TestServer;

    before(async () => {
      ({ model, server } = await startBwrapSessionServer(dialect));
    });
    after(async () => {
      await server?.close();
      await model?.close();
    });

    it('announces the skill in the system prompt; bash reads SKILL.md and cannot write there', async () => {
      const { client } = server;
      const skill = await client.beta.skills.create({
        files: [
          await toFile(Buffer.from(SKILL_MD), 'invoice-checker/SKILL.md'),
          await toFile(Buffer.from('echo checked\n'), 'invoice-checker/scripts/check.sh'),
        ],
      });
      const agent = await createToolsetAgent(client, 'skilled', {
        system: 'You check paperwork.',
        skills: [{ type: 'custom', skill_id: skill.id }],
      });
      const environment = await createLimitedEnvironment(client, `skills-${dialect}`);
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const marker = `invoice-${dialect}`;
      model.push(
        bashTurn(
          [
            'cat /mnt/skills/invoice-checker/SKILL.md',
            'sh /mnt/skills/invoice-checker/scripts/check.sh',
            'echo x > /mnt/skills/invoice-checker/new.md; echo new=$?',
            'echo y >> /mnt/skills/invoice-checker/SKILL.md; echo append=$?',
          ].join('; '),
          marker,
        ),
      );
      const output = toolOutput(await runTurn(client, session.id, `check this ${marker}`));
      assert.match(output, /# Invoice checker/);
      assert.match(output, /checked/);
      assert.match(output, /Read-only file system/);
      assert.match(output, /new=1/);
      assert.match(output, /append=1/);

      const request = model
        .requests()
        .find(
          (each) =>
            JSON.stringify(each.body).includes(marker) && !JSON.stringify(each.body).includes('tool_result'),
        );
      assert.ok(request, 'the model was asked');
      const system = JSON.stringify((request.body as { system?: unknown }).system);
      assert.match(system, /You check paperwork\./);
      assert.match(system, /invoice-checker \(\/mnt\/skills\/invoice-checker\/SKILL\.md\)/);
      assert.match(system, /Checks invoices for arithmetic errors/);
    });
  });
}
