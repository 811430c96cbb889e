// Workflow runs in the timeline: a run's creation with its planned phases, its status, each phase
// entered and left (by name), its errors and how it ended (the SDK's workflow_run.* events).
import { badge, h } from './dom.js';

/** Phase names by id, learnt from `workflow_run.created` as the timeline renders it. */
const phaseNames = new Map();

const phaseName = (event) => phaseNames.get(event.workflow_run_phase_id) ?? event.workflow_run_phase_id ?? '';
const runId = (event) => h('span', { class: 'muted small' }, ` ${event.workflow_run_id ?? ''}`);

function resultOf(result) {
  if (result?.type === 'error') return `error: ${result.error?.type ?? 'unknown'}`;
  return String(result?.type ?? 'unknown');
}

/** The entry of a workflow run event: `{kind, title, body}` for timeline.js, or undefined. */
export function workflowCard(event) {
  switch (event.type) {
    case 'workflow_run.created': {
      const phases = Array.isArray(event.phases) ? event.phases : [];
      for (const phase of phases) phaseNames.set(phase.id, phase.name);
      return {
        kind: 'workflow',
        title: ['Workflow run ', h('strong', null, String(event.name ?? '')), runId(event)],
        body: [
          event.description ? h('p', null, String(event.description)) : null,
          phases.length
            ? h(
                'ol',
                { class: 'workflow-phases' },
                ...phases.map((phase) =>
                  h('li', null, String(phase.name ?? ''), phase.description ? ` — ${phase.description}` : ''),
                ),
              )
            : null,
        ],
      };
    }
    case 'workflow_run.status_running':
      return { kind: 'status', title: ['Workflow run running', runId(event)], body: [] };
    case 'workflow_run.status_idle':
      return { kind: 'status', title: ['Workflow run idle', runId(event)], body: [] };
    case 'workflow_run.phase_started':
      return { kind: 'span', title: ['Phase started: ', h('strong', null, phaseName(event))], body: [] };
    case 'workflow_run.phase_ended':
      return { kind: 'span', title: ['Phase ended: ', h('strong', null, phaseName(event))], body: [] };
    case 'workflow_run.error':
      return {
        kind: 'error',
        title: ['Workflow run error ', badge(String(event.error?.type ?? 'error'), 'error'), runId(event)],
        body: [h('p', null, String(event.error?.message ?? ''))],
      };
    case 'workflow_run.status_ended': {
      const result = resultOf(event.result);
      return {
        kind: 'status',
        title: ['Workflow run ended ', badge(result, result === 'completed' ? 'ok' : 'warn'), runId(event)],
        body: [],
      };
    }
    default:
      return undefined;
  }
}
