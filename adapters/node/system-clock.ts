import type { Clock } from '../../ports/runtime.js';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
