// The same matrix against `make asan`: any sanitizer report fails the test.
import { transferSuite } from './transfer.ts';

transferSuite('bin/asan', { duration: 0.8, warmup: 0.2 });
