// PutLogEvents without the SDK's per-request pipeline: the request its client would send, signed by its own SigV4
// signer, over a keep-alive agent. The data path's hot call; the control plane stays in the SDK client.
import { hash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { type CloudWatchLogsClient, PutLogEvents$, PutLogEventsCommand, type RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';
import { ALGORITHM_IDENTIFIER, createScope, getCanonicalHeaders, getCanonicalQuery, getSigningKey, type SignatureV4 } from '@smithy/signature-v4';

/**
 * Headers the signer adds: everything else of the client's request is the same for every PutLogEvents of one
 * client, bar the body's length and the invocation id.
 */
const SIGNER_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);
/** An answer later than this after its request tells nothing of the clock (@aws-sdk/core, getUpdatedSystemClockOffset). */
const MAX_SKEW_SAMPLE_AGE_MS = 900_000;
/** As the SDK's handler: a request whose connection is not made in this long fails (and is retried). */
import { CONNECT_TIMEOUT_MS } from './client.ts';
import { HmacSha256 } from './sha256.ts';

/**
 * The slots of a signed request that change from one PutLogEvents to the next, in SignedLayout's pieces: the
 * invocation id, the body's length, the signing time (x-amz-date), the session token's canonical line (empty
 * without one), the signed header list (which names the token or not), and the body's SHA-256.
 */
const INVOCATION_ID = 0;
const CONTENT_LENGTH = 1;
const LONG_DATE = 2;
const TOKEN_LINE = 3;
const SIGNED_HEADERS = 4;
const PAYLOAD_HASH = 5;
type Piece = string | number;

/**
 * What the SDK's signer (@smithy/signature-v4 signRequest) computes from the request, laid out once for the
 * template's headers: the canonical request and the signed request's headers, each as fixed text and slots
 * (the numbers above). Per request only the slots are filled in, the string to sign hashed and MACed with
 * the day's signing key, which the signer's own getSigningKey derives. The layout is checked against the
 * signer's signRequest when it is made (see #checkedLayout), and the property test proves the bytes on the
 * wire are the SDK client's for random credentials, session tokens, regions, clocks and bodies.
 */
interface SignedLayout {
  /** "POST\n/\n\n", the sorted canonical header lines, a blank line, the signed header list and the body's hash. */
  canonicalRequest: Piece[];
  signedHeaders: string;
  signedHeadersWithToken: string;
  /** The wire headers in the order the signer leaves them, flat (name, value, ...), less the token and authorization. */
  headers: Piece[];
  /** Whether the signer adds x-amz-content-sha256 (its applyChecksum): after x-amz-date and the token. */
  contentSha256Header: boolean;
}

/** What every PutLogEvents of one client shares: taken once from a request the SDK's pipeline built. */
interface RequestTemplate {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number | undefined;
  path: string;
  /** The client's headers in its order, less those the signer adds. */
  headers: ReadonlyArray<readonly [string, string]>;
  signer: SignatureV4;
  /** The region and service of the client's signature (its credential scope). */
  signingRegion: string;
  signingService: string;
  skewCorrection: boolean;
  /** The operation and context the client's deserializer is given for PutLogEvents. */
  operation: unknown;
  context: unknown;
  /** Undefined when the signer's signRequest did not give the same headers as the layout: it signs each request then. */
  layout: SignedLayout | undefined;
}

/** The fields of the SDK's HttpRequest that its signer reads (it checks the shape, not the class). */
interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What node:http rejects with when a request's signal aborts it: an AbortError carrying the reason. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

export interface PutLogEventsSenderOptions {
  /** Sockets kept open to the endpoint: the destination's concurrency. */
  maxSockets: number;
  /**
   * 'layout' (the default): the canonical request laid out once, checked against the SDK signer's
   * signRequest; 'request': every request through the signer's signRequest, as the client does.
   * Both send the same bytes (the property test runs both); 'request' is here to prove it.
   */
  signing?: 'layout' | 'request';
}

/** What the client's credential provider resolves to (@smithy/types AwsCredentialIdentity). */
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The SigV4 canonical path (as @smithy/signature-v4 getCanonicalPath writes it: segments normalized, escaped twice). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  const escaped = encodeURIComponent(normalized).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return escaped.replace(/%2F/g, '/');
}

/** The SigV4 canonical form of a header value (as @smithy/signature-v4 getCanonicalHeaders writes it). */
function canonicalValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

function fill(pieces: readonly Piece[], slots: readonly string[]): string {
  let out = '';
  for (const piece of pieces) out += typeof piece === 'number' ? slots[piece]! : piece;
  return out;
}

/**
 * Sends PutLogEvents bodies as `client` would send them: the same endpoint, headers (user agent and all) and
 * SigV4 signature, with the same clock skew correction. The signature is that of the client's signer
 * (client.config.signer, @smithy/signature-v4), laid out once (SignedLayout) and checked against its
 * signRequest; the credentials, the default chain's and their refreshes, are the client's. Error answers are
 * read by the client's own protocol, so they throw the SDK's exception classes with the same name, $fault
 * and $metadata. Measured (bench/cloudwatch-request.bench.ts, 50 events of
 * 47 KiB): the SDK's pipeline took about 880 us of CPU per request, of which a new signer per request (its
 * signing key derived again), endpoint rules, middleware and the schema serde; a bare node:http POST 190 us.
 */
export class PutLogEventsSender {
  readonly #client: CloudWatchLogsClient;
  readonly #agentOptions: http.AgentOptions;
  readonly #signing: 'layout' | 'request';
  /** The last signing time's second and its SigV4 forms: a second's requests share them. */
  #dateSecond = Number.NaN;
  #signingDate = new Date(0);
  #longDate = '';
  /** The signing key of the last request (the SDK's getSigningKey), for these credentials, day and template. */
  #key: { credentials: Credentials; shortDate: string; template: RequestTemplate; hmac: HmacSha256 } | undefined;
  #agent: http.Agent | undefined;
  #template: Promise<RequestTemplate> | undefined;
  #ready: RequestTemplate | undefined;

  constructor(client: CloudWatchLogsClient, options: PutLogEventsSenderOptions) {
    this.#client = client;
    this.#agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets };
    this.#signing = options.signing ?? 'layout';
  }

  /** One PutLogEvents with this JSON body; resolves with what the service refused by index, throws as the SDK would. */
  async put(body: Buffer, signal: AbortSignal): Promise<RejectedLogEventsInfo | undefined> {
    const template = this.#ready ?? (await this.#templateOnce(signal));
    const config = this.#client.config;
    const time = template.skewCorrection ? Date.now() + config.systemClockOffset : Date.now();
    // As the SDK's retry middleware makes it (@smithy/core serde v4): Web Crypto's randomUUID.
    const invocationId = crypto.randomUUID();
    const sentAt = Date.now();
    const headers = template.layout
      ? await this.#signByLayout(template, template.layout, (await config.credentials()) as Credentials, time, invocationId, body)
      : await this.#signByRequest(template, time, invocationId, body);
    const response = await this.#send(template, headers, body, signal);
    if (template.skewCorrection) this.#correctSkew(response, sentAt);
    if (response.statusCode >= 200 && response.statusCode < 300) {
      if (response.body.length <= 2) return undefined;
      return (JSON.parse(response.body.toString('utf8')) as { rejectedLogEventsInfo?: RejectedLogEventsInfo }).rejectedLogEventsInfo;
    }
    throw await this.#errorOf(template, response);
  }

  /** The signed headers, flat, as the SDK's signer's signRequest makes them: the client's own path. */
  async #signByRequest(template: RequestTemplate, time: number, invocationId: string, body: Buffer): Promise<string[]> {
    const headers: Record<string, string> = {};
    for (const [name, value] of template.headers) headers[name] = value;
    for (const name in headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-length') headers[name] = String(body.length);
      else if (lower === 'amz-sdk-invocation-id') headers[name] = invocationId;
    }
    const request: SignableRequest = { method: 'POST', protocol: template.protocol, hostname: template.hostname, port: template.port, path: template.path, query: {}, headers, body };
    const signed = (await template.signer.sign(request as never, { signingDate: new Date(time), signingRegion: template.signingRegion, signingService: template.signingService })) as unknown as SignableRequest;
    // Flat, in the signed request's order: node:http writes such a list as it is, without the per-header
    // bookkeeping of an object (the same bytes on the wire; measured about 10 us less a request).
    const flat: string[] = [];
    for (const name in signed.headers) flat.push(name, signed.headers[name]!);
    return flat;
  }

  /**
   * The same headers from the layout: the body hashed once (node:crypto, as the client's sha256 does), the
   * canonical request filled in, its string to sign MACed with the day's signing key. Measured in the bench
   * (bench/cloudwatch-request.bench.ts): the signer's signRequest cost about 20 us a request besides the
   * body's hash in a loop of its own and several times that between requests (copies of the request and its
   * headers, two sorts, three regular expressions a header, dates, a Hmac object); its sign(string to sign)
   * alone still 15-25 us more a request than the layout with HmacSha256.
   */
  async #signByLayout(template: RequestTemplate, layout: SignedLayout, credentials: Credentials, time: number, invocationId: string, body: Buffer): Promise<string[]> {
    const second = Math.floor(time / 1000);
    if (second !== this.#dateSecond) {
      this.#dateSecond = second;
      this.#signingDate = new Date(second * 1000);
      // As the signer's formatDate: ISO 8601 without separators or milliseconds.
      this.#longDate = this.#signingDate.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    }
    const longDate = this.#longDate;
    const token = credentials.sessionToken;
    const signedHeaders = token ? layout.signedHeadersWithToken : layout.signedHeaders;
    const payloadHash = hash('sha256', body, 'hex');
    const slots = [invocationId, String(body.length), longDate, token ? `x-amz-security-token:${canonicalValue(token)}\n` : '', signedHeaders, payloadHash];
    const scope = createScope(longDate.slice(0, 8), template.signingRegion, template.signingService);
    const stringToSign = `${ALGORITHM_IDENTIFIER}\n${longDate}\n${scope}\n${hash('sha256', fill(layout.canonicalRequest, slots), 'hex')}`;
    // The day's signing key as the SDK's signer derives and caches it (its getSigningKey, with the client's
    // sha256), for these credentials: a refresh gives a new credentials object, hence a new key.
    const shortDate = longDate.slice(0, 8);
    let key = this.#key;
    if (!key || key.credentials !== credentials || key.shortDate !== shortDate || key.template !== template) {
      const bytes = await getSigningKey(this.#client.config.sha256, credentials, shortDate, template.signingRegion, template.signingService);
      key = this.#key = { credentials, shortDate, template, hmac: new HmacSha256(bytes) };
    }
    const signature = key.hmac.hex(stringToSign);
    const headers: string[] = [];
    for (const piece of layout.headers) headers.push(typeof piece === 'number' ? slots[piece]! : piece);
    headers.push('x-amz-date', longDate);
    if (token) headers.push('x-amz-security-token', token);
    if (layout.contentSha256Header) headers.push('x-amz-content-sha256', payloadHash);
    headers.push('authorization', `${ALGORITHM_IDENTIFIER} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`);
    return headers;
  }

  /**
   * The error the client throws for this answer: its own protocol reads it (the modeled exception, or the
   * service's base one for an unknown code), then what its schema deserialization middleware adds
   * (@smithy/core schema, schemaDeserializationMiddleware): the raw response as a hidden `$response`, and for
   * an answer it could not read at all, a hint in the message and `$metadata` from the response.
   */
  async #errorOf(template: RequestTemplate, response: RawResponse): Promise<unknown> {
    const protocol = this.#client.config.protocol as { deserializeResponse(schema: unknown, context: unknown, response: unknown): Promise<unknown> };
    const httpResponse = { statusCode: response.statusCode, reason: undefined, headers: response.headers, body: response.body };
    try {
      await protocol.deserializeResponse(template.operation, template.context, httpResponse);
    } catch (caught) {
      const error = caught as Error & { $metadata?: unknown; $responseBodyText?: unknown };
      Object.defineProperty(error, '$response', { value: httpResponse, enumerable: false, writable: false, configurable: false });
      if (!('$metadata' in error)) {
        error.message += '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
        if (error.$responseBodyText !== undefined) httpResponse.body = error.$responseBodyText as Buffer;
        const headers = Object.entries(response.headers);
        const find = (pattern: RegExp) => headers.find(([name]) => pattern.test(name))?.[1];
        error.$metadata = {
          httpStatusCode: response.statusCode,
          requestId: find(/^x-[\w-]+-request-?id$/),
          extendedRequestId: find(/^x-[\w-]+-id-2$/),
          cfId: find(/^x-[\w-]+-cf-id$/),
        };
      }
      return error;
    }
    return new Error(`PutLogEvents: HTTP ${response.statusCode} was not read as an error`);
  }

  /**
   * The template of the client's PutLogEvents request: one request is built by the SDK's pipeline (endpoint
   * rules, user agent, signing) and taken before it is sent. Built again after a failure (no credentials yet).
   */
  #templateOnce(signal: AbortSignal): Promise<RequestTemplate> {
    this.#template ??= this.#captureTemplate(signal).then(
      (template) => (this.#ready = template),
      (error: unknown) => {
        this.#template = undefined;
        throw error;
      },
    );
    return this.#template;
  }

  async #captureTemplate(signal: AbortSignal): Promise<RequestTemplate> {
    let captured: SignableRequest | undefined;
    const command = new PutLogEventsCommand({ logGroupName: 'template', logStreamName: 'template', logEvents: [] });
    command.middlewareStack.add(
      () => async (args) => {
        captured = args.request as SignableRequest;
        return { output: { $metadata: {} } as never, response: undefined };
      },
      // The innermost step before the HTTP handler: after the user agent is set and the request signed.
      { step: 'finalizeRequest', priority: 'low', name: 'journalFanoutRequestTemplate' },
    );
    await this.#client.send(command, { abortSignal: signal });
    if (!captured) throw new Error('PutLogEvents: the SDK built no request to take the template from');
    const config = this.#client.config;
    const signer = (await config.signer()) as unknown as SignatureV4;
    // Credential=AKID/20261204/us-east-1/logs/aws4_request
    const scope = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(captured.headers.authorization ?? ''));
    if (!scope) throw new Error('PutLogEvents: the SDK signed its request without a SigV4 credential scope');
    const headers: Array<readonly [string, string]> = [];
    for (const [name, value] of Object.entries(captured.headers)) if (!SIGNER_HEADERS.has(name.toLowerCase())) headers.push([name, value]);
    const template: RequestTemplate = {
      protocol: captured.protocol === 'http:' ? 'http:' : 'https:',
      hostname: captured.hostname,
      port: captured.port,
      path: captured.path,
      headers,
      signer,
      signingRegion: scope[2]!,
      signingService: scope[3]!,
      skewCorrection: (await config.disableClockSkewCorrection?.()) !== true,
      operation: { namespace: PutLogEvents$[1], name: PutLogEvents$[2], traits: PutLogEvents$[3], input: PutLogEvents$[4], output: PutLogEvents$[5] },
      context: { ...config },
      layout: undefined,
    };
    const contentSha256Header = Object.keys(captured.headers).some((name) => name.toLowerCase() === 'x-amz-content-sha256');
    if (this.#signing === 'layout') template.layout = await this.#checkedLayout(template, captured.method, contentSha256Header);
    return template;
  }

  /**
   * The template's SignedLayout, if it gives the very headers the signer's signRequest gives for a probe
   * request signed now with the current credentials; undefined (each request then through signRequest) if not:
   * a signer that signs otherwise (another algorithm, other headers) is followed rather than overruled.
   */
  async #checkedLayout(template: RequestTemplate, method: string, contentSha256Header: boolean): Promise<SignedLayout | undefined> {
    const layout = this.#layoutOf(template, method, contentSha256Header);
    const credentials = (await this.#client.config.credentials()) as Credentials;
    const time = Math.floor(Date.now() / 1000) * 1000;
    const probe = Buffer.from('{"logGroupName":"probe","logStreamName":"probe","logEvents":[]}');
    const invocationId = crypto.randomUUID();
    const ours = await this.#signByLayout(template, layout, credentials, time, invocationId, probe);
    const theirs = await this.#signByRequest(template, time, invocationId, probe);
    return ours.length === theirs.length && ours.every((value, i) => value === theirs[i]) ? layout : undefined;
  }

  #layoutOf(template: RequestTemplate, method: string, contentSha256Header: boolean): SignedLayout {
    const wire: Piece[] = [];
    const bag: Record<string, string> = {};
    for (const [name, value] of template.headers) {
      const lower = name.toLowerCase();
      wire.push(name, lower === 'content-length' ? CONTENT_LENGTH : lower === 'amz-sdk-invocation-id' ? INVOCATION_ID : value);
      bag[name] = value;
    }
    // Canonical names and values: the template's headers as the signer's own getCanonicalHeaders keeps and
    // writes them (the per-request ones as slots), then those the signer adds.
    const canonical = new Map<string, Piece>();
    for (const [lower, value] of Object.entries(getCanonicalHeaders({ headers: bag } as never))) {
      canonical.set(lower, lower === 'content-length' ? CONTENT_LENGTH : lower === 'amz-sdk-invocation-id' ? INVOCATION_ID : value!);
    }
    canonical.set('x-amz-date', LONG_DATE);
    if (contentSha256Header) canonical.set('x-amz-content-sha256', PAYLOAD_HASH);
    const names = [...canonical.keys(), 'x-amz-security-token'].sort();
    const canonicalRequest: Piece[] = [`${method}\n${canonicalPath(template.path)}\n${getCanonicalQuery({ query: {} } as never)}\n`];
    for (const name of names) {
      if (name === 'x-amz-security-token') {
        canonicalRequest.push(TOKEN_LINE);
        continue;
      }
      const value = canonical.get(name)!;
      canonicalRequest.push(`${name}:`, value, '\n');
    }
    // Each header line ends in a newline, and one more ends the block (the SigV4 canonical request).
    canonicalRequest.push('\n', SIGNED_HEADERS, '\n', PAYLOAD_HASH);
    // Adjacent fixed text as one piece.
    const merged: Piece[] = [];
    for (const piece of canonicalRequest) {
      if (typeof piece === 'string' && typeof merged.at(-1) === 'string') merged[merged.length - 1] += piece;
      else merged.push(piece);
    }
    return {
      canonicalRequest: merged,
      signedHeaders: names.filter((name) => name !== 'x-amz-security-token').join(';'),
      signedHeadersWithToken: names.join(';'),
      headers: wire,
      contentSha256Header,
    };
  }

  #send(template: RequestTemplate, headers: string[], body: Buffer, signal: AbortSignal): Promise<RawResponse> {
    const transport = template.protocol === 'https:' ? https : http;
    this.#agent ??= new transport.Agent(this.#agentOptions);
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError(signal));
        return;
      }
      // One listener of our own: http.request's `signal` option costs about 8 us a request (measured).
      const onAbort = () => req.destroy(abortError(signal));
      const settle = () => signal.removeEventListener('abort', onAbort);
      const req = transport.request({ host: template.hostname, port: template.port, path: template.path, method: 'POST', headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          settle();
          reject(error);
        });
        res.on('end', () => {
          settle();
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        });
      });
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        settle();
        reject(error);
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => req.destroy(Object.assign(new Error(`connection not made within ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      req.end(body);
    });
  }

  /**
   * The SDK's clock-skew sampling (@aws-sdk/core httpAuthSchemes, getUpdatedSystemClockOffset): every answer
   * with a Date header and no Age header sets the client's offset, which signs the next requests (its own too).
   */
  #correctSkew(response: RawResponse, sentAt: number): void {
    const date = response.headers.date;
    if (date === undefined || response.headers.age !== undefined) return;
    const serverTime = Date.parse(date);
    const received = Date.now();
    if (Number.isNaN(serverTime) || received - sentAt > MAX_SKEW_SAMPLE_AGE_MS) return;
    this.#client.config.systemClockOffset = serverTime - received;
  }

  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}
