import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { specDocument } from '../shared/spec-documents.js';

/** Something in a request (or a webhook the simulator sends) that Vonage's published API description does not allow. */
export interface SpecViolation {
  operation: string;
  /** JSON pointer into the body, or the parameter name. */
  parameter: string;
  problem: string;
}

type Json = Record<string, unknown>;

const SMS_SPEC = 'vonage_sms.yml';
const VOICE_SPEC = 'vonage_voice.yml';

/**
 * The published schemas tell endpoint kinds apart only by a `type` they leave unconstrained, so a phone endpoint
 * matches both `EndpointPhoneTo` and `EndpointSip` and no `oneOf` could ever hold: read them as `anyOf`.
 */
function oneOfAsAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(oneOfAsAnyOf);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key === 'oneOf' ? 'anyOf' : key, oneOfAsAnyOf(value)]));
}

function describe(errors: readonly ErrorObject[] | null | undefined, operation: string): SpecViolation[] {
  return (errors ?? []).map((e) => ({ operation, parameter: e.instancePath || '/', problem: `${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}` }));
}

/** The shape Vonage's API reference gives `advanced_machine_detection`. */
function isAdvancedMachineDetection(amd: Json): boolean {
  const timeout = amd.beep_timeout;
  return ['continue', 'hangup'].includes(String(amd.behavior)) && ['default', 'detect', 'detect_beep'].includes(String(amd.mode))
    && (timeout === undefined || (Number.isInteger(timeout) && (timeout as number) >= 45 && (timeout as number) <= 120))
    && Object.keys(amd).every((key) => ['behavior', 'mode', 'beep_timeout'].includes(key));
}

/** Top-level keys that no `properties` of the schema (through allOf and $ref) declares. */
function undeclared(body: Json, declared: ReadonlySet<string>, operation: string): SpecViolation[] {
  return Object.keys(body).filter((key) => !declared.has(key)).map((key) => ({ operation, parameter: key, problem: 'not a declared parameter' }));
}

let loaded: VonageOpenApiSpec | { skipped: string } | undefined;

/**
 * Checks what the Vonage simulator accepts and sends against Vonage's own OpenAPI documents (`vonage_sms.yml`,
 * `vonage_voice.yml`, Nexmo/api-specification). Built only when both documents are present (see `load`).
 */
export class VonageOpenApiSpec {
  private readonly sendSms: ValidateFunction;
  private readonly deliveryReceipt: ValidateFunction;
  private readonly inboundSms: ValidateFunction;
  private readonly createCall: ValidateFunction;
  private readonly updateCall: ValidateFunction;
  private readonly phoneTo: ValidateFunction;
  private readonly phoneFrom: ValidateFunction;
  private readonly smsParameters: ReadonlySet<string>;
  private readonly callParameters: ReadonlySet<string>;

  private constructor(sms: Json, voice: Json) {
    // OpenAPI 3.0 schemas are JSON Schema draft-07 plus words (`example`, `x-…`, `xml`) that strict mode would refuse.
    const ajv = new Ajv({ allErrors: true, strict: false });
    (addFormats as unknown as (instance: Ajv) => void)(ajv);
    for (const format of ['vcard', 'vcal', 'binary', 'timestamp']) ajv.addFormat(format, true);
    ajv.addSchema({ $id: 'vonage-sms', ...(oneOfAsAnyOf(sms) as Json) });
    ajv.addSchema({ $id: 'vonage-voice', ...(oneOfAsAnyOf(voice) as Json) });
    const ref = (id: string, name: string) => ajv.compile({ $ref: `${id}#/components/schemas/${name}` });
    this.sendSms = ref('vonage-sms', 'NewMessage');
    this.deliveryReceipt = ref('vonage-sms', 'DeliveryReceipt');
    this.inboundSms = ref('vonage-sms', 'InboundMessage');
    this.createCall = ajv.compile({ $ref: 'vonage-voice#/paths/~1/post/requestBody/content/application~1json/schema' });
    this.updateCall = ajv.compile({ $ref: 'vonage-voice#/paths/~1{uuid}/put/requestBody/content/application~1json/schema' });
    this.phoneTo = ref('vonage-voice', 'EndpointPhoneTo');
    this.phoneFrom = ref('vonage-voice', 'EndpointPhoneFrom');
    const schemas = (doc: Json) => (doc.components as { schemas: Record<string, { properties?: Json }> }).schemas;
    this.smsParameters = new Set(Object.keys(schemas(sms).NewMessage?.properties ?? {}));
    // `advanced_machine_detection` came after this version of the document: Vonage's API reference and the official
    // SDK (`advancedMachineDetection`) have it, so it is declared here by hand, its shape checked below.
    this.callParameters = new Set([...Object.keys(schemas(voice).CreateCallRequestBase?.properties ?? {}), 'ncco', 'answer_url', 'answer_method', 'advanced_machine_detection']);
  }

  /** The checker, or why there is none (the documents are not beside this checkout). Built once per process. */
  static load(): VonageOpenApiSpec | { skipped: string } {
    loaded ??= VonageOpenApiSpec.build();
    return loaded;
  }

  private static build(): VonageOpenApiSpec | { skipped: string } {
    const sms = specDocument(SMS_SPEC);
    const voice = specDocument(VOICE_SPEC);
    if (sms.path === null) return { skipped: sms.reason };
    if (voice.path === null) return { skipped: voice.reason };
    return new VonageOpenApiSpec(parseYaml(readFileSync(sms.path, 'utf8')) as Json, parseYaml(readFileSync(voice.path, 'utf8')) as Json);
  }

  /** `POST /sms/json` parameters, credentials included (whether sent in the body or in the Authorization header). */
  checkSendSms(params: Json): SpecViolation[] {
    return [...(this.sendSms(params) ? [] : describe(this.sendSms.errors, 'send-an-sms')), ...undeclared(params, this.smsParameters, 'send-an-sms')];
  }

  /** `POST /v1/calls` body; phone endpoints are held to the phone schemas, which the `anyOf` reading alone would not. */
  checkCreateCall(body: Json): SpecViolation[] {
    const found = [...(this.createCall(body) ? [] : describe(this.createCall.errors, 'createCall')), ...undeclared(body, this.callParameters, 'createCall')];
    const isPhone = (endpoint: unknown) => typeof endpoint === 'object' && endpoint !== null && (endpoint as Json).type === 'phone';
    for (const endpoint of Array.isArray(body.to) ? body.to.filter(isPhone) : []) {
      if (!this.phoneTo(endpoint)) found.push(...describe(this.phoneTo.errors, 'createCall').map((v) => ({ ...v, parameter: `/to${v.parameter}` })));
    }
    const amd = body.advanced_machine_detection as Json | undefined;
    if (amd !== undefined && !isAdvancedMachineDetection(amd)) {
      found.push({ operation: 'createCall', parameter: 'advanced_machine_detection', problem: 'behavior continue|hangup, mode default|detect|detect_beep, beep_timeout 45–120' });
    }
    if (body.from !== undefined && !this.phoneFrom(body.from)) {
      found.push(...describe(this.phoneFrom.errors, 'createCall').map((v) => ({ ...v, parameter: `/from${v.parameter}` })));
    }
    return found;
  }

  /** `PUT /v1/calls/{uuid}` body. */
  checkUpdateCall(body: Json): SpecViolation[] {
    return this.updateCall(body) ? [] : describe(this.updateCall.errors, 'updateCall');
  }

  /** A delivery receipt the simulator sends. */
  checkDeliveryReceipt(fields: Json): SpecViolation[] {
    return this.deliveryReceipt(fields) ? [] : describe(this.deliveryReceipt.errors, 'delivery-receipt');
  }

  /** An inbound SMS the simulator sends. */
  checkInboundSms(fields: Json): SpecViolation[] {
    return this.inboundSms(fields) ? [] : describe(this.inboundSms.errors, 'inbound-sms');
  }
}
