/**
 * OpenAPI 3.1 document generated from the same contract the routers implement,
 * so the reference at /openapi.json can't drift from the code.
 */
import { z } from 'zod';
import { type ContractTree, pathParamsOf, restRoutesOf } from './contract';
import { ERROR_CODES } from './errors';
import { API_BASE_PATH } from './routes';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const errorResponse = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'request_id'],
            properties: {
              code: { type: 'string', enum: Object.keys(ERROR_CODES) },
              message: { type: 'string' },
              request_id: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

export const buildOpenApiDocument = (
  contracts: ContractTree[],
  info = { title: 'LockBox API', version: '1' },
) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const contract of contracts) {
    for (const { name, op, rest } of restRoutesOf(contract)) {
      const inputSchema = toSchema(op.input, 'input');
      const properties = (inputSchema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((inputSchema.required ?? []) as string[]);
      const pathParams = pathParamsOf(rest.path);
      const parameters: unknown[] = pathParams.map((p) => ({
        name: p,
        in: 'path',
        required: true,
        schema: properties[p] ?? { type: 'string' },
      }));
      const bodyProps = Object.fromEntries(
        Object.entries(properties).filter(([k]) => !pathParams.includes(k)),
      );
      let requestBody: unknown;
      if (rest.method === 'GET' || rest.method === 'DELETE') {
        for (const [k, v] of Object.entries(bodyProps)) {
          parameters.push({ name: k, in: 'query', required: required.has(k), schema: v });
        }
      } else if (Object.keys(bodyProps).length > 0) {
        requestBody = {
          required: true,
          content: {
            'application/json': {
              schema: {
                ...inputSchema,
                properties: bodyProps,
                required: [...required].filter((k) => k in bodyProps),
              },
            },
          },
        };
      }
      const status = String(rest.status ?? 200);
      const success =
        status === '204'
          ? { description: 'No content' }
          : { description: 'OK', content: { 'application/json': { schema: toSchema(op.output, 'output') } } };
      const openApiPath = rest.path;
      paths[openApiPath] ??= {};
      paths[openApiPath][rest.method.toLowerCase()] = {
        operationId: name,
        summary: op.summary,
        ...(op.access === 'user' ? { security: [{ bearer: [] }] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses: { [status]: success, default: errorResponse },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info,
    // Paths are relative to the server: clients call `/v1/auth/login` (the unversioned paths still answer).
    servers: [{ url: API_BASE_PATH }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
};
