/**
 * Where a workflow run's program executes (docs/workflows.md). The program is model-written
 * code, so it never runs in the server process: an adapter (src/workflow-runtime/) runs it in a
 * separate, confined process that can do nothing but ask the server for the calls below, one
 * JSON line each way.
 */

/** An inline agent a program defines for one call (the parts an agent definition may set). */
export interface ProgramInlineAgent {
  name?: string | undefined;
  system?: string | undefined;
  model?: string | undefined;
  description?: string | undefined;
  /** Built-in tool names, within the session agent's own (default: all of them). */
  tools?: string[] | undefined;
}

/**
 * One request of the program. `call` numbers the program's requests in the order it makes them
 * (from 0, every kind counted), which is what makes a re-run of the same program line up with
 * the journal of the first: call n of the re-run is call n of the first run.
 */
export type ProgramRequest =
  | {
      call: number;
      op: 'agent';
      prompt: string;
      /** A predefined agent's name, an inline agent, or absent for the session's own agent. */
      agent?: string | ProgramInlineAgent | undefined;
    }
  | { call: number; op: 'phase_start'; phase: string }
  | { call: number; op: 'phase_end'; phase: string }
  | { call: number; op: 'log'; message: string }
  | { call: number; op: 'budget' };

/** How a program ended: it returned (any JSON value), or threw / broke the protocol / was killed. */
export type ProgramOutcome =
  | { type: 'returned'; value: unknown }
  | { type: 'failed'; message: string }
  | { type: 'aborted' };

export interface ProgramStart {
  /** The program's source: the body of an async function (see docs/workflows.md). */
  source: string;
  /** Handed to the program as `input`. */
  input: unknown;
  /** Answers one request; a rejection reaches the program as a thrown Error with its message. */
  answer(request: ProgramRequest): Promise<unknown>;
  /** Kills the program (a stop, a limit, a lost lease). */
  signal: AbortSignal;
}

export interface WorkflowProgramRunner {
  run(start: ProgramStart): Promise<ProgramOutcome>;
}

/** What one program's launch gets: its cgroup to join first (src/sandbox/program-confinement.ts). */
export interface ProgramJail {
  /** Wraps argv so the process joins the cgroup before it execs (every descendant is limited). */
  wrap(argv: string[]): { file: string; args: string[]; env: Record<string, string> };
  /** Kills what is left in the cgroup and removes it. */
  release(): Promise<void>;
}

/** Kernel confinement for model-written programs, made by the sandbox adapter from its own parts. */
export interface ProgramConfiner {
  /** The seccomp filter bubblewrap loads for the program, or null (an unknown architecture). */
  readonly seccompFilter: Buffer | null;
  jail(): Promise<ProgramJail>;
}
