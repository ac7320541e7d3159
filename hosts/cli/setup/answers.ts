import { createInterface, type Interface } from 'node:readline';
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
 * Asks on `output`, reads lines from `input` (a terminal or a pipe). Lines are read through the async
 * iterator, which buffers them: piped answers that arrive before their question are not lost. The end of
 * input is SETUP_ANSWER_MISSING naming the flag, so a script that forgot an answer fails instead of hanging.
 */
export function promptAnswers(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Answers {
  const rl: Interface = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(q) {
      if (q.given !== undefined) {
        output.write(`${q.question}: ${q.given} (${q.flag})\n`);
        return q.given;
      }
      for (;;) {
        output.write(`${q.question}${q.fallback !== undefined ? ` [${q.fallback}]` : ''}: `);
        const next = await lines.next();
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
