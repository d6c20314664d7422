/** The realtime service's router, its (all-internal) contract and the OpenAPI document agree. */
import { realtimeInternalContract } from '@lockbox/contracts';
import { describeRouterAgreesWithContract } from '@lockbox/testkit/contract-agreement';
import type { RealtimeDeps } from '../../src/deps';
import { createRealtimeRouter } from '../../src/router';

// Building the router only wires handlers; none runs, so no dependency is touched.
describeRouterAgreesWithContract(createRealtimeRouter({} as RealtimeDeps), realtimeInternalContract);
