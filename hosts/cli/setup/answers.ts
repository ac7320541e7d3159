import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { DomainError } from '../../../ports/errors.js';

export interface Question {
  /** The flag that answers it without asking (`--public-url`), as named in errors. */
  flag: string;
  /** Its value from the command line, if given. */
  given: string | undefined;
  question: string;
  /** Taken for an empty answer, and by `--yes` when the flag is absent. */
  fallback?: string;
  /** Without a fallback: the wizard cannot go on without it. */
  required?: boolean;
  /** A credential: not echoed while typed at a terminal, and never repeated in the output (a flag's value neither). */
  secret?: boolean;
}

export interface Answers {
  /** The flag's value, else the person's answer (interactive), else the fallback; undefined only when not required. */
  ask(q: Question): Promise<string | undefined>;
  /** Tells the person something (interactive runs; `--yes` runs print it too, to the same stream). */
  say(text: string): void;
  close(): void;
}

export function missingAnswer(flag: string, question: string): DomainError {
  return new DomainError('SETUP_ANSWER_MISSING', `No answer to "${question}": pass ${flag}.`,
    `Run again with ${flag} (agentos-comms --help lists the setup flags), or without --yes in a terminal to be asked.`, { flag });
}

/** `--yes`: every answer comes from a flag or its fallback; nothing is ever asked. */
export function flagAnswers(out: NodeJS.WritableStream): Answers {
  return {
    async ask(q) {
      if (q.given !== undefined) return q.given;
      if (q.fallback !== undefined) return q.fallback;
      if (q.required) throw missingAnswer(q.flag, q.question);
      return undefined;
    },
    say: (text) => void out.write(`${text}\n`),
    close: () => {},
  };
}

/**
 * The terminal's echo, as readline writes it in terminal mode (each key typed, line refreshes): passed on to the
 * screen, except while a secret is typed. The usual way to read a password with readline (as `read`/`mute-stream`).
 */
class EchoGate extends Writable {
  muted = false;

  constructor(private readonly screen: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.muted) this.screen.write(chunk);
    done();
  }
}

/**
 * Asks on `output`, reads lines from `input` (a terminal or a pipe). Lines are read through the async
 * iterator, which buffers them: piped answers that arrive before their question are not lost. The end of
 * input is SETUP_ANSWER_MISSING naming the flag, so a script that forgot an answer fails instead of hanging.
 * On a terminal, readline takes the echo over (terminal mode), so that a secret's keys are not shown; no
 * history is kept, so the up arrow cannot bring a secret back.
 */
export function promptAnswers(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Answers {
  const terminal = (input as { isTTY?: boolean }).isTTY === true;
  const echo = new EchoGate(output);
  const rl: Interface = terminal
    ? createInterface({ input, output: echo, terminal: true, prompt: '', historySize: 0 })
    : createInterface({ input, terminal: false });
  // In terminal mode Ctrl-C reaches readline, not the process: end the run as Ctrl-C would (the terminal restored first).
  if (terminal) {
    rl.on('SIGINT', () => {
      rl.close();
      process.kill(process.pid, 'SIGINT');
    });
  }
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(q) {
      if (q.given !== undefined) {
        output.write(`${q.question}: ${q.secret ? '(given)' : q.given} (${q.flag})\n`);
        return q.given;
      }
      for (;;) {
        output.write(`${q.question}${q.fallback !== undefined ? ` [${q.fallback}]` : ''}: `);
        echo.muted = q.secret === true;
        const next = await lines.next().finally(() => {
          if (terminal && echo.muted) output.write('\n');
          echo.muted = false;
        });
        if (next.done) {
          output.write('\n');
          if (q.fallback !== undefined) return q.fallback;
          if (q.required) throw missingAnswer(q.flag, q.question);
          return undefined;
        }
        const answer = String(next.value).trim();
        if (answer) return answer;
        if (q.fallback !== undefined) return q.fallback;
        if (!q.required) return undefined;
        output.write('An answer is needed.\n');
      }
    },
    say: (text) => void output.write(`${text}\n`),
    close: () => rl.close(),
  };
}
