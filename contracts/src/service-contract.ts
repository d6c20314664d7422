/**
 * A service's contract says which service implements it and which path
 * prefixes it owns at the gateway, right beside its procedures, so the
 * gateway's route table and the OpenAPI document are derived from the
 * contracts and never written by hand.
 */
import { type ContractTree, isOperation, type Operation } from './contract';
import type { ServiceName } from './services';

export interface ServiceContract<T extends ContractTree = ContractTree> {
  service: ServiceName;
  /**
   * Path prefixes the gateway sends to this service (every REST route of the
   * tree lies under one; a service may own more, e.g. realtime's `/ws`).
   */
  publicPrefixes: readonly string[];
  tree: T;
}

export const defineServiceContract = <T extends ContractTree>(
  service: ServiceName,
  def: { publicPrefixes: readonly string[]; tree: T },
): ServiceContract<T> => ({ service, publicPrefixes: def.publicPrefixes, tree: def.tree });

/** The tree without internal operations (and without branches left empty). */
export const publicTreeOf = (tree: ContractTree): ContractTree | undefined => {
  const out: ContractTree = {};
  for (const [key, node] of Object.entries(tree)) {
    if (isOperation(node as Operation | ContractTree)) {
      if ((node as Operation).access !== 'internal') out[key] = node;
    } else {
      const sub = publicTreeOf(node as ContractTree);
      if (sub) out[key] = sub;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
};

/**
 * Top-level namespaces callable through the gateway: those with at least one
 * non-internal procedure, so `internal` is never one.
 */
export const publicNamespacesOf = (tree: ContractTree): string[] => Object.keys(publicTreeOf(tree) ?? {});
