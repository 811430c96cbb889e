// Types for workflow-cards.js (plain ESM served to the browser as is).
import type { Wire } from './api.js';

export function workflowCard(event: Wire): { kind: string; title: unknown; body: unknown[] } | undefined;
