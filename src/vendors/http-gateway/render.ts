/**
 * Fills a gateway's request templates for one send. Values are data, never
 * syntax: a JSON body is built as an object and serialised, form and query
 * values are URL-encoded, so `"`, `&` or `}` in a variable cannot change the
 * request's structure. Header values never carry message data (config.ts).
 */
import type { OutgoingMessage } from '../types';
import { VendorError } from '../vendor-error';
import type { GatewayRequest } from './config';
import { PLACEHOLDER_PATTERN } from './placeholders';

/** The values of one call: the message (or, for a receipt pull, the gateway's message id), the call's timestamp and nonce, and the account's secrets. */
export interface CallValues {
  message: OutgoingMessage | null;
  messageId: string | null;
  timestamp: string;
  nonce: string;
  secrets: Record<string, string>;
}

function configError(text: string): VendorError {
  return new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', 'CONFIG_INVALID', text);
}

function messageValue(name: string, message: OutgoingMessage): string | undefined {
  switch (name) {
    case 'receiver': return message.receiver;
    case 'content': return message.content;
    case 'subject': return message.subject ?? '';
    case 'sendId': return message.sendId;
    case 'reference': return message.reference;
    case 'vendorTemplateId':
      if (message.vendorTemplateId === null) throw configError('the gateway needs {vendorTemplateId} but the template has none for http-gateway');
      return message.vendorTemplateId;
  }
  if (name.startsWith('var.')) {
    const value = message.variables[name.slice(4)];
    if (value === undefined) throw configError(`the gateway needs {${name}} but the message has no variable ${name.slice(4)}`);
    return value;
  }
  return undefined;
}

function valueOf(name: string, values: CallValues): string {
  if (name === 'timestamp') return values.timestamp;
  if (name === 'nonce') return values.nonce;
  if (name === 'messageId' && values.messageId !== null) return values.messageId;
  if (name.startsWith('secret.')) {
    const value = values.secrets[name.slice(7)];
    if (value === undefined) throw configError(`the account has no secret ${name.slice(7)}`);
    return value;
  }
  const fromMessage = values.message ? messageValue(name, values.message) : undefined;
  if (fromMessage !== undefined) return fromMessage;
  // config.ts refuses any other name (and message data in a receipt pull) when the account is saved.
  throw configError(`placeholder {${name}} has no value here`);
}

export function renderTemplate(template: string, values: CallValues): string {
  return template.replace(PLACEHOLDER_PATTERN, (_match, name: string) => valueOf(name, values));
}

function renderJson(value: unknown, values: CallValues): unknown {
  if (value === '{variables}') return values.message?.variables ?? {};
  if (typeof value === 'string') return renderTemplate(value, values);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderJson(item, values)]));
  }
  return value;
}

export interface RenderedRequest {
  url: string;
  /** Path and query, as signed. */
  pathAndQuery: string;
  headers: Record<string, string>;
  /** Empty for a request without a body (a GET receipt pull). */
  body: string;
  contentType: string | null;
}

export function renderRequest(request: GatewayRequest, values: CallValues): RenderedRequest {
  const url = new URL(request.url);
  for (const [key, template] of Object.entries(request.query)) url.searchParams.set(key, renderTemplate(template, values));
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(request.headers)) {
    const value = renderTemplate(template, values);
    if (/[\r\n]/.test(value)) throw configError(`header ${name} would contain a line break`);
    headers[name.toLowerCase()] = value;
  }
  const { body } = request;
  const rendered = body === undefined
    ? { body: '', contentType: null }
    : body.encoding === 'json'
    ? { body: JSON.stringify(renderJson(body.fields, values)), contentType: 'application/json; charset=utf-8' }
    : {
      body: new URLSearchParams(Object.entries(body.fields).map(([key, template]): [string, string] => [key, renderTemplate(template, values)])).toString(),
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    };
  return { url: url.toString(), pathAndQuery: `${url.pathname}${url.search}`, headers, ...rendered };
}
