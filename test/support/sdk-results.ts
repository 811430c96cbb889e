import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

/** What the SDK's calls give back, read the way the API tests assert on them. */

type ApiError = InstanceType<typeof Anthropic.APIError>;

/** Every item of an SDK list, following its pages. */
export async function all<T>(page: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of page) out.push(item);
  return out;
}

/** The SDK's error for a failed call, for asserting on its status and body. */
export async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Anthropic.APIError, String(error));
    return error;
  }
  assert.fail('expected the call to fail');
}

/** The error body's `details.error_code`. */
export const errorCode = (error: ApiError) =>
  (error.error as { error?: { details?: { error_code?: string } } }).error?.details?.error_code;

/** The error body's message. */
export const errorMessage = (error: ApiError) =>
  (error.error as { error?: { message?: string } }).error?.message ?? '';
