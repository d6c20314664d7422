/**
 * What the Chromium test runs inside the page: the SDK's browser entry
 * (bundled by esbuild for platform "browser", so any node: import would fail
 * the build) exposed on `window`.
 */
import * as sdk from '../../src/index';

(globalThis as unknown as { lockbox: typeof sdk }).lockbox = sdk;
