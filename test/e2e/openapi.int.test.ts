import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  approvalCreatedSchema,
  approvalDetailsSchema,
} from '../../apps/server/src/approvals/approval-responses.schemas.js';
import { createApprovalSchema } from '../../apps/server/src/approvals/approval.schemas.js';
import { issueApiKey } from '../support/api-keys.js';
import { type InstalledPortal, type Stack, startStack } from '../support/stack.js';

// Issue 13: "an OpenAPI document of the integrations API, generated from the zod schemas, served at
// GET /api/v1/openapi.json and checked in CI against the routes; the README's curl examples stay true."

const run = promisify(execFile);
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

let stack: Stack;
let p: InstalledPortal;
// biome-ignore lint/suspicious/noExplicitAny: the served JSON document, read path by path
let doc: any;
let tmp: string;

beforeAll(async () => {
  stack = await startStack({ creator: true });
  p = await stack.installedPortal();
  tmp = mkdtempSync(join(tmpdir(), 'b24-readme-'));
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await stack?.close();
});

/** Every route express has: "METHOD /path" with OpenAPI's {param} for express's :param. */
function expressRoutes(app: Express): string[] {
  const out: string[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: express's router internals (router 2.x layers)
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods).filter((k) => k !== '_all')) {
          out.push(`${m.toUpperCase()} ${prefix}${String(layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        // Our routers are mounted at the root; a mounted path would prefix its routes.
        walk(layer.handle.stack, layer.slash ? prefix : `${prefix}${layer.rawPath}`);
      }
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: as above
  walk((app as any).router.stack, '');
  return out;
}

const documented = () =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    METHODS.filter((m) => m in ops).map((m) => `${m.toUpperCase()} ${path}`),
  );

describe('the OpenAPI document', () => {
  it('is served without a key and is a valid OpenAPI document', async () => {
    const res = await fetch(`${stack.serverUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
    expect(doc.openapi).toBe('3.0.3');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents exactly the /api/v1 routes express has', () => {
    const routed = expressRoutes(stack.app).filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'));
    expect(routed.length).toBeGreaterThanOrEqual(3);
    expect([...new Set(routed)].sort()).toEqual(documented().sort());
  });

  it('documents bearer auth, the Idempotency-Key header, each answer of a create, and Retry-After on 429', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = doc.paths['/api/v1/approvals'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'Idempotency-Key' }));
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['200', '201', '202', '400', '401', '403', '409', '429']),
    );
    expect(create.responses['202'].headers.Location).toBeDefined();
    expect(create.responses['429'].headers['Retry-After']).toBeDefined();
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['API_RATE_LIMITED', 'PORTAL_MISMATCH', 'RATE_LIMITED', 'VALIDATION_FAILED']),
    );
    expect(doc.paths['/api/v1/openapi.json'].get.security).toEqual([]);
  });
});

/** The README's curl commands of "## Integrations API", each with the status its next comment line promises. */
function readmeExamples(): { command: string; status: number }[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(
    text.indexOf('## Integrations API'),
    text.indexOf('\n## ', text.indexOf('## Integrations API') + 5),
  );
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const out: { command: string; status: number }[] = [];
  for (const block of blocks) {
    const lines = block.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('curl ')) continue;
      let command = lines[i]!;
      // A command goes on after a trailing backslash, or while a single-quoted string is open.
      while ((command.endsWith('\\') || (command.split("'").length - 1) % 2 === 1) && i + 1 < lines.length) {
        command = command.endsWith('\\') ? `${command.slice(0, -1)}${lines[++i]!}` : `${command}\n${lines[++i]!}`;
      }
      const status = /^# (\d{3})\b/.exec(lines[i + 1] ?? '')?.[1];
      if (!status) throw new Error(`README: the curl on line "${command.slice(0, 60)}…" needs a "# <status>" line`);
      out.push({ command, status: Number(status) });
    }
  }
  return out;
}

describe("the README's curl examples", () => {
  it('run as written against the stack, answer the status they promise, and agree with the OpenAPI document', async () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const key = await issueApiKey(stack, p, 'README');
    const env = {
      PATH: process.env.PATH ?? '',
      APP_URL: stack.serverUrl,
      API_KEY: key.apiKey,
      API_TOKEN: stack.env.API_TOKEN ?? '',
    };
    let lastId = '';
    for (const [n, ex] of examples.entries()) {
      // What the reader fills in: their portal, the deal, and the id the create answered.
      const command = ex.command
        .replaceAll('<portal member_id>', p.memberId)
        .replaceAll('"ownerId":15', `"ownerId":${p.dealId}`)
        .replaceAll('<id>', lastId);
      const bodyFile = join(tmp, `body-${n}.json`);
      const { stdout } = await run('bash', ['-c', `${command} -s -o '${bodyFile}' -w '%{http_code}'`], { env });
      const body = JSON.parse(readFileSync(bodyFile, 'utf8'));
      expect({ command: ex.command, status: Number(stdout) }).toEqual({ command: ex.command, status: ex.status });

      // The request is one the document describes, with a body its schema accepts.
      const method = /-X (\w+)/.exec(command)?.[1]?.toLowerCase() ?? 'get';
      const path = new URL(/\$APP_URL(\S+)/.exec(command)![1]!, 'http://x').pathname;
      const template = Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
      expect({ path, template }).toEqual({ path, template: expect.any(String) });
      expect(doc.paths[template!][method]).toBeDefined();
      const data = /-d '([\s\S]*?)'/.exec(command)?.[1];
      if (data) expect(createApprovalSchema.safeParse(JSON.parse(data)).success).toBe(true);

      // And the answer has the documented shape.
      const answer: Record<string, z.ZodType> = {
        'post /api/v1/approvals': approvalCreatedSchema,
        'get /api/v1/approvals/{id}': approvalDetailsSchema,
      };
      const schema = answer[`${method} ${template}`];
      if (schema) expect(schema.safeParse(body).error).toBeUndefined();
      if (method === 'post') lastId = body.id;
    }
  });
});
