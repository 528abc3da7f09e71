import { transferSuite } from './transfer.ts';

transferSuite('bin', { duration: 0.8, warmup: 0.2 });
