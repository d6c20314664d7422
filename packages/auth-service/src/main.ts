import { runService } from '@lockbox/service-kit';
import { authService } from './definition';

await runService(authService);
