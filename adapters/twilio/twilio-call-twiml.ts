import twilio from 'twilio';
import type { CallScript } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import { conversationTwiml } from './twilio-conversation-twiml.js';

/** Twilio refuses a `Twiml` parameter longer than this (error 32018). */
export const MAX_TWIML_CHARACTERS = 4000;

function invalidScript(problem: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', `The call script is invalid: ${problem}.`, nextStep, { provider: 'twilio' });
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

type PlayScript = Extract<CallScript, { kind: 'play' }>;

/**
 * The TwiML that plays the script: the whole list `loop` times, then Twilio hangs up. One file uses
 * `<Play loop>`; several are written out in order for each pass, because `<Play loop>` repeats a single file
 * and would play a,a,b,b instead of a,b,a,b.
 */
function playScriptTwiml(script: PlayScript): string {
  const { audioUrls, loop } = script;
  if (audioUrls.length === 0) throw invalidScript('no audio files', 'Give at least one audio URL to play.');
  const bad = audioUrls.find((url) => !isHttpUrl(url));
  if (bad !== undefined) {
    throw invalidScript('an audio URL is not an absolute http(s) URL', 'Give public https:// URLs of MP3 or WAV files that Twilio can download.');
  }
  if (!Number.isInteger(loop) || loop < 1) throw invalidScript('loop must be a whole number of at least 1', 'Set loop to 1 to play the files once.');

  const response = new twilio.twiml.VoiceResponse();
  const [only] = audioUrls;
  if (audioUrls.length === 1 && only !== undefined) {
    response.play({ loop }, only);
  } else {
    for (let pass = 0; pass < loop; pass += 1) for (const url of audioUrls) response.play(url);
  }
  return response.toString();
}

/** The TwiML sent inline with the call: what the callee hears once they answer. */
export function scriptTwiml(script: CallScript): string {
  const twiml = script.kind === 'play' ? playScriptTwiml(script) : conversationTwiml(script.conversation);
  if (twiml.length > MAX_TWIML_CHARACTERS) {
    throw invalidScript(
      `the instructions take ${twiml.length} characters, over Twilio's ${MAX_TWIML_CHARACTERS}`,
      script.kind === 'play'
        ? 'Play fewer audio files or fewer loops (or one longer file).'
        : 'Shorten the welcome greeting or the conversation parameters.',
    );
  }
  return twiml;
}
