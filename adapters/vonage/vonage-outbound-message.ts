import type { Vonage } from '@vonage/server-sdk';
import { DomainError } from '../../ports/errors.js';
import type { SendWhatsAppRequest } from '../../ports/whatsapp.js';
import { toMsisdn } from './vonage-numbers.js';

/** What `vonage.messages.send` takes (derived, so that no transitive @vonage package is imported directly). */
export type VonageSendParams = Parameters<Vonage['messages']['send']>[0];

type MediaKind = 'image' | 'video' | 'audio' | 'file';

/** WhatsApp picks the player from the media type; the URL's extension is all we know before Vonage fetches it. */
const MEDIA_KIND_BY_EXTENSION: Readonly<Record<string, MediaKind>> = {
  jpg: 'image', jpeg: 'image', png: 'image',
  mp4: 'video', '3gp': 'video', '3gpp': 'video',
  aac: 'audio', amr: 'audio', mp3: 'audio', m4a: 'audio', ogg: 'audio', opus: 'audio',
};

/** Vonage keeps client_ref up to 100 characters and echoes it in every status webhook. */
const MAX_CLIENT_REF = 100;

function invalidInput(message: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', message, nextStep, { provider: 'vonage' });
}

function mediaKind(url: string): MediaKind {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL: Vonage will refuse it with its own reason.
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return MEDIA_KIND_BY_EXTENSION[extension] ?? 'file';
}

/**
 * WhatsApp template body parameters: keys "1", "2" … fill {{1}}, {{2}} … in order; other keys are named
 * parameters ({{first_name}}). Mixing the two, or leaving a gap in the numbers, is refused before calling Vonage.
 */
function templateParameters(variables: Record<string, string>): Record<string, string>[] {
  const keys = Object.keys(variables);
  const positional = keys.filter((key) => /^[1-9]\d*$/.test(key));
  if (positional.length === keys.length) {
    const ordered = positional.map(Number).sort((a, b) => a - b);
    if (ordered.some((n, index) => n !== index + 1)) {
      throw invalidInput(
        'The template variables skip a number: WhatsApp fills {{1}}, {{2}} … in order.',
        'Give the template variables as "1", "2", "3" … with no gap, one per placeholder of the approved template.',
      );
    }
    return ordered.map((n) => ({ type: 'text', text: variables[String(n)] ?? '' }));
  }
  if (positional.length > 0) {
    throw invalidInput(
      'The template variables mix numbered ("1") and named keys.',
      'Use numbered keys for a template with {{1}}-style placeholders, or the placeholder names for a template with named placeholders, not both.',
    );
  }
  return keys.map((name) => ({ type: 'text', parameter_name: name, text: variables[name] ?? '' }));
}

/**
 * The Messages API v1 request for one WhatsApp message. Templates go as `custom` messages carrying WhatsApp's own
 * template object (the form that supports named parameters and an explicit language). WhatsApp carries one
 * attachment per message and this port returns one provider id, so a send with several media URLs is refused
 * rather than split into several messages that could half-succeed; the body becomes the media's caption.
 */
export function buildVonageWhatsAppMessage(request: SendWhatsAppRequest, templateLanguage: string): VonageSendParams {
  const mediaUrls = request.mediaUrls ?? [];
  const body = request.body ?? '';
  const common = {
    channel: 'whatsapp',
    to: toMsisdn(request.to),
    from: toMsisdn(request.from),
    clientRef: request.reference.slice(0, MAX_CLIENT_REF),
    ...(request.statusCallbackUrl ? { webhookUrl: request.statusCallbackUrl, webhookVersion: 'v1' as const } : {}),
  };

  if (request.template) {
    if (body !== '' || mediaUrls.length > 0) {
      throw invalidInput(
        'A WhatsApp template message cannot carry free text or media as well.',
        'Send either the approved template (templateId and templateVars) or a free-form body/media, not both.',
      );
    }
    const parameters = templateParameters(request.template.variables);
    return {
      ...common,
      messageType: 'custom',
      custom: {
        type: 'template',
        template: {
          name: request.template.id,
          language: { policy: 'deterministic', code: templateLanguage },
          ...(parameters.length > 0 ? { components: [{ type: 'body', parameters }] } : {}),
        },
      },
    };
  }

  if (mediaUrls.length > 1) {
    throw invalidInput(
      'WhatsApp carries one attachment per message.',
      'Send one message per media URL (the text can go with the first one as its caption).',
    );
  }
  const [url] = mediaUrls;
  if (url !== undefined) {
    const kind = mediaKind(url);
    if (kind === 'audio') {
      if (body !== '') {
        throw invalidInput(
          'WhatsApp audio messages have no caption.',
          'Send the audio without a body, and the text as a separate message.',
        );
      }
      return { ...common, messageType: 'audio', audio: { url } };
    }
    const media = body !== '' ? { url, caption: body } : { url };
    if (kind === 'image') return { ...common, messageType: 'image', image: media };
    if (kind === 'video') return { ...common, messageType: 'video', video: media };
    return { ...common, messageType: 'file', file: media };
  }

  if (body === '') {
    throw invalidInput(
      'The WhatsApp message has no body, media or template.',
      'Give a body (inside the 24-hour window), a media URL, or an approved template with its variables.',
    );
  }
  return { ...common, messageType: 'text', text: body };
}
