// Authentication for /v1: every call needs `Authorization: Bearer <key>`.
import type { FastifyRequest } from 'fastify';
import type { AccessControl, Principal } from '../access.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('route reached without authentication');
  return req.principal;
}

export function authHook(access: AccessControl) {
  return async (req: FastifyRequest) => {
    req.principal = await access.authenticate(req.headers.authorization);
  };
}
