/** The message service's router, its contract's REST table and the OpenAPI document agree. */
import { messagesContract } from '@lockbox/contracts';
import { describeRouterAgreesWithContract } from '@lockbox/testkit/contract-agreement';
import type { MessagesDeps } from '../src/deps';
import { createMessagesRouter } from '../src/router';

// Building the router only wires handlers; none runs, so no dependency is touched.
describeRouterAgreesWithContract(createMessagesRouter({} as MessagesDeps), messagesContract);
