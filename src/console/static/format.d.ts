// Types for format.js (plain ESM served to the browser as is; the tests import it from TypeScript).
import type { Wire } from './api.js';

export function formatTime(iso: string | null | undefined): string;
export function formatCount(value: unknown): string;
export function formatCost(
  money: { amount: string; currency?: string } | null | undefined,
  options?: { used?: boolean },
): string;
export function formatUsd(usd: string | null | undefined): string;
export function hasUsage(usage: Wire | null | undefined): boolean;
export function formatBytes(bytes: unknown): string;
export function formatUsage(usage: Wire | null | undefined): string;
export function modelName(model: string | { id?: string } | null | undefined): string;
export function contentText(content: Wire[] | undefined): string;
export function prettyJson(value: unknown): string;
export function pendingConfirmations(events: Wire[]): Wire[];
export function awaitsAction(events: Wire[]): boolean;
export function displayStatus(status: string | null | undefined, waitsForUser: boolean): string;
export function formatDuration(
  startIso: string | null | undefined,
  endIso: string | null | undefined,
): string;
