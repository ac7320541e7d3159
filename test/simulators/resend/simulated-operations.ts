/**
 * The operations the Resend simulator implements, described as Resend describes them (same paths, parameter
 * names and request schema as Resend's published OpenAPI document, reduced to what the simulator serves).
 * The simulator routes and refuses requests by this description, so it answers the same with or without the
 * published document; that document, when found, is the extra check that records `specViolations`.
 */
const addressList = (maxItems?: number) => ({
  oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, ...(maxItems ? { minItems: 1, maxItems } : {}) }],
});

const emailIdParameter = (format?: 'uuid') => ({
  name: 'email_id', in: 'path', required: true, schema: { type: 'string', ...(format ? { format } : {}) },
});

export const SIMULATED_OPERATIONS = {
  openapi: '3.1.0',
  paths: {
    '/emails': {
      post: {
        operationId: 'emails/send',
        parameters: [{ in: 'header', name: 'Idempotency-Key', required: false, schema: { type: 'string', maxLength: 256 } }],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/SendEmailRequest' } } } },
      },
    },
    '/domains': {
      get: { operationId: 'domains/list', parameters: [] },
      post: { operationId: 'domains/create', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateDomainRequest' } } } } },
    },
    '/domains/{domain_id}': { get: { operationId: 'domains/get', parameters: [{ name: 'domain_id', in: 'path', required: true, schema: { type: 'string' } }] } },
    '/domains/{domain_id}/verify': { post: { operationId: 'domains/verify', parameters: [{ name: 'domain_id', in: 'path', required: true, schema: { type: 'string' } }] } },
    '/emails/{email_id}': { get: { operationId: 'emails/get', parameters: [emailIdParameter()] } },
    '/emails/receiving/{email_id}': { get: { operationId: 'emails/get-receiving', parameters: [emailIdParameter('uuid')] } },
  },
  components: {
    schemas: {
      SendEmailRequest: {
        type: 'object',
        required: ['from', 'to', 'subject'],
        properties: {
          from: { type: 'string' },
          to: addressList(50),
          subject: { type: 'string' },
          bcc: addressList(),
          cc: addressList(),
          reply_to: addressList(),
          html: { type: 'string' },
          text: { type: 'string' },
          template: { $ref: '#/components/schemas/EmailTemplateInput' },
          headers: { type: 'object' },
          scheduled_at: { type: 'string' },
          attachments: { type: 'array', items: { $ref: '#/components/schemas/Attachment' } },
          tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
          topic_id: { type: 'string' },
        },
      },
      EmailTemplateInput: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, variables: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] } } },
      },
      Attachment: {
        type: 'object',
        properties: {
          content: { type: 'string', format: 'binary' },
          filename: { type: 'string' },
          path: { type: 'string' },
          content_type: { type: 'string' },
          content_id: { type: 'string' },
        },
      },
      Tag: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
      CreateDomainRequest: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          region: { type: 'string', enum: ['us-east-1', 'eu-west-1', 'sa-east-1', 'ap-northeast-1'] },
          custom_return_path: { type: 'string' },
          open_tracking: { type: 'boolean' },
          click_tracking: { type: 'boolean' },
          tls: { type: 'string', enum: ['opportunistic', 'enforced'] },
          capabilities: { type: 'object', properties: { sending: { type: 'string', enum: ['enabled', 'disabled'] }, receiving: { type: 'string', enum: ['enabled', 'disabled'] } } },
          tracking_subdomain: { type: 'string' },
        },
      },
    },
  },
};
