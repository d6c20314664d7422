import { runService } from '@lockbox/service-kit';
import { realtimeService } from './definition';

await runService(realtimeService);
