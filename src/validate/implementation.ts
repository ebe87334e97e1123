/**
 * The module every harness worker loads when `validate` runs a user's pool: its URL carries
 * the user's module as `?module=<url>`, and it exports what `ImplementationModule` asks for,
 * adapted by `adapt.ts`. One file serves any module, so the concurrent harness needs no
 * generated glue.
 */
import type { UserModule } from '../harness/contract.ts';
import { adapt } from './adapt.ts';

const target = new URL(import.meta.url).searchParams.get('module');
if (!target) throw new Error('validate: implementation.ts loaded without ?module=');
const adapted = adapt((await import(target)) as UserModule);

export const Mempool = adapted.Mempool;
export const SharedBacking = adapted.SharedBacking;
export const capabilities = adapted.capabilities;
