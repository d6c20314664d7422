import { runService } from '@lockbox/service-kit';
import { messagesService } from './definition';

await runService(messagesService);
