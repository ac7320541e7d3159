/** The body of `POST /v1/messages` for channel "whatsapp", read and checked the way the Messages API v1 does. */

export type WhatsAppMediaKind = 'image' | 'audio' | 'video' | 'file';
export type WhatsAppMessageType = 'text' | WhatsAppMediaKind | 'template' | 'custom';

const MESSAGE_TYPES: readonly WhatsAppMessageType[] = ['text', 'image', 'audio', 'video', 'file', 'template', 'custom'];
const MAX_TEXT = 4096;
const MAX_CAPTION = 3000;
const MAX_CLIENT_REF = 100;
/** E.164 digits without + or 00, as the Messages API asks for. */
const MSISDN = /^[1-9]\d{6,14}$/;

/** A WhatsApp template, as carried by `template` messages or by `custom` messages of type "template". */
export interface RequestedTemplate {
  name: string;
  /** `whatsapp.locale` (template messages) or `custom.template.language.code`. */
  language: string;
  /** Positional body parameters ({{1}}, {{2}} …), in order. */
  parameters: string[];
  /** Named body parameters (`parameter_name`), custom messages only. */
  namedParameters: Record<string, string>;
}

export interface WhatsAppMessageDraft {
  messageType: WhatsAppMessageType;
  to: string;
  from: string;
  text: string | null;
  media: { kind: WhatsAppMediaKind; url: string; caption: string | null } | null;
  template: RequestedTemplate | null;
  /** Free-form messages need an open 24-hour window; templates do not. */
  freeForm: boolean;
  clientRef: string | null;
  webhookUrl: string | null;
  webhookVersion: string | null;
}

export type InvalidParameter = { name: string; reason: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function optionalString(body: Json, name: string, max: number, invalid: InvalidParameter[]): string | null {
  const value = body[name];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length > max) invalid.push({ name, reason: `Must be a string of at most ${max} characters` });
  return typeof value === 'string' ? value : null;
}

function media(body: Json, kind: WhatsAppMediaKind, invalid: InvalidParameter[]): WhatsAppMessageDraft['media'] {
  const object = body[kind];
  if (!isObject(object)) {
    invalid.push({ name: kind, reason: 'Required for this message_type' });
    return null;
  }
  if (!isHttpUrl(object.url)) invalid.push({ name: `${kind}.url`, reason: 'Must be a valid http or https URL' });
  let caption: string | null = null;
  if (object.caption !== undefined) {
    // WhatsApp audio carries no caption.
    if (kind === 'audio') invalid.push({ name: 'audio.caption', reason: 'Not allowed for audio' });
    else if (typeof object.caption !== 'string' || object.caption.length > MAX_CAPTION) invalid.push({ name: `${kind}.caption`, reason: `Must be a string of at most ${MAX_CAPTION} characters` });
    else caption = object.caption;
  }
  return { kind, url: typeof object.url === 'string' ? object.url : '', caption };
}

function templateMessage(body: Json, invalid: InvalidParameter[]): RequestedTemplate | null {
  const template = body.template;
  const whatsapp = body.whatsapp;
  if (!isObject(template) || typeof template.name !== 'string' || template.name === '') {
    invalid.push({ name: 'template.name', reason: 'Required' });
    return null;
  }
  const parameters = template.parameters ?? [];
  if (!Array.isArray(parameters) || !parameters.every((p) => typeof p === 'string')) {
    invalid.push({ name: 'template.parameters', reason: 'Must be an array of strings' });
  }
  if (!isObject(whatsapp) || whatsapp.policy !== 'deterministic') invalid.push({ name: 'whatsapp.policy', reason: 'Must be "deterministic"' });
  if (!isObject(whatsapp) || typeof whatsapp.locale !== 'string' || whatsapp.locale === '') invalid.push({ name: 'whatsapp.locale', reason: 'Required' });
  return {
    name: template.name,
    language: isObject(whatsapp) && typeof whatsapp.locale === 'string' ? whatsapp.locale : '',
    parameters: Array.isArray(parameters) ? parameters.filter((p): p is string => typeof p === 'string') : [],
    namedParameters: {},
  };
}

/** A `custom` message holds WhatsApp's own message object; only its template form is read closely. */
function customTemplate(custom: Json, invalid: InvalidParameter[]): RequestedTemplate | null {
  const template = custom.template;
  if (!isObject(template) || typeof template.name !== 'string' || template.name === '') {
    invalid.push({ name: 'custom.template.name', reason: 'Required' });
    return null;
  }
  const language = template.language;
  if (!isObject(language) || typeof language.code !== 'string' || language.code === '') {
    invalid.push({ name: 'custom.template.language.code', reason: 'Required' });
  }
  const result: RequestedTemplate = {
    name: template.name,
    language: isObject(language) && typeof language.code === 'string' ? language.code : '',
    parameters: [],
    namedParameters: {},
  };
  const components = template.components ?? [];
  if (!Array.isArray(components)) {
    invalid.push({ name: 'custom.template.components', reason: 'Must be an array' });
    return result;
  }
  for (const component of components) {
    if (!isObject(component) || component.type !== 'body') continue;
    const parameters = component.parameters ?? [];
    if (!Array.isArray(parameters)) {
      invalid.push({ name: 'custom.template.components.parameters', reason: 'Must be an array' });
      continue;
    }
    for (const parameter of parameters) {
      if (!isObject(parameter) || parameter.type !== 'text' || typeof parameter.text !== 'string') {
        invalid.push({ name: 'custom.template.components.parameters', reason: 'Each body parameter must be {"type":"text","text":"…"}' });
        continue;
      }
      if (typeof parameter.parameter_name === 'string') result.namedParameters[parameter.parameter_name] = parameter.text;
      else result.parameters.push(parameter.text);
    }
  }
  if (result.parameters.length > 0 && Object.keys(result.namedParameters).length > 0) {
    invalid.push({ name: 'custom.template.components.parameters', reason: 'Positional and named parameters cannot be mixed' });
  }
  return result;
}

/** Either the message as Vonage would accept it, or the list of invalid parameters it would answer 422 with. */
export function readWhatsAppRequest(body: unknown): { draft: WhatsAppMessageDraft } | { invalid: InvalidParameter[] } {
  if (!isObject(body)) return { invalid: [{ name: 'body', reason: 'Must be a JSON object' }] };
  const invalid: InvalidParameter[] = [];

  if (body.channel !== 'whatsapp') invalid.push({ name: 'channel', reason: 'This simulator plays the "whatsapp" channel only' });
  const messageType = body.message_type;
  if (typeof messageType !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(messageType)) {
    invalid.push({ name: 'message_type', reason: `Must be one of ${MESSAGE_TYPES.join(', ')}` });
    return { invalid };
  }
  const type = messageType as WhatsAppMessageType;

  const to = body.to;
  if (typeof to !== 'string' || !MSISDN.test(to)) {
    invalid.push({ name: 'to', reason: 'Must be a phone number in E.164 format without a leading + or 00' });
  }
  const from = body.from;
  if (typeof from !== 'string' || from === '') invalid.push({ name: 'from', reason: 'Required' });

  let text: string | null = null;
  let draftMedia: WhatsAppMessageDraft['media'] = null;
  let template: RequestedTemplate | null = null;
  let freeForm = true;
  if (type === 'text') {
    if (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > MAX_TEXT) {
      invalid.push({ name: 'text', reason: `Must be between 1 and ${MAX_TEXT} characters` });
    } else {
      text = body.text;
    }
  } else if (type === 'template') {
    template = templateMessage(body, invalid);
    freeForm = false;
  } else if (type === 'custom') {
    if (!isObject(body.custom)) invalid.push({ name: 'custom', reason: 'Required for this message_type' });
    else if (body.custom.type === 'template') {
      template = customTemplate(body.custom, invalid);
      freeForm = false;
    }
  } else {
    draftMedia = media(body, type, invalid);
  }

  const clientRef = optionalString(body, 'client_ref', MAX_CLIENT_REF, invalid);
  const webhookUrl = body.webhook_url === undefined ? null : isHttpUrl(body.webhook_url) ? body.webhook_url : null;
  if (body.webhook_url !== undefined && webhookUrl === null) invalid.push({ name: 'webhook_url', reason: 'Must be a valid http or https URL' });
  const webhookVersion = optionalString(body, 'webhook_version', 10, invalid);
  if (webhookVersion !== null && webhookVersion !== 'v1' && webhookVersion !== 'v0.1') invalid.push({ name: 'webhook_version', reason: 'Must be "v0.1" or "v1"' });

  if (invalid.length > 0) return { invalid };
  return {
    draft: {
      messageType: type, to: to as string, from: from as string, text, media: draftMedia, template, freeForm, clientRef, webhookUrl, webhookVersion,
    },
  };
}
