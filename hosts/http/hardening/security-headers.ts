import type Koa from 'koa';
import helmet from 'koa-helmet';

type HelmetOptions = NonNullable<Parameters<typeof helmet>[0]>;

/**
 * Helmet's response headers, worked out once at start-up and set by one loop per request. Per response helmet runs a
 * chain of a dozen connect-style middlewares (a call, a callback and, through koa-helmet, a promise each) to set
 * headers that, with this server's fixed options, never change: its one run here is recorded and replayed in order.
 */
export async function securityHeaders(options: HelmetOptions): Promise<Koa.Middleware> {
  const steps: Array<[name: string, value: string | null]> = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void steps.push([name, String(value)]),
    removeHeader: (name: string) => void steps.push([name, null]),
  };
  await helmet(options)({ req: {}, res: recorder } as unknown as Koa.Context, async () => {});
  return (ctx, next) => {
    for (const [name, value] of steps) {
      if (value === null) ctx.res.removeHeader(name);
      else ctx.res.setHeader(name, value);
    }
    return next();
  };
}
