import { FailoverEmail } from '../../adapters/failover/failover-email.js';
import { FailoverTelephony } from '../../adapters/failover/failover-telephony.js';
import { FailoverWhatsApp } from '../../adapters/failover/failover-whatsapp.js';
import type { PortName, PortTypes } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { NamedAdapter } from '../../ports/webhook.js';

type Builder<P extends PortName> = (members: NamedAdapter<PortTypes[P]>[], logger: Logger) => PortTypes[P];

/** The ports whose `use` may be a list, and the composite each gets. */
const FAILOVER: { readonly [P in PortName]?: Builder<P> } = {
  telephony: (members, logger) => new FailoverTelephony(members, logger),
  email: (members, logger) => new FailoverEmail(members, logger),
  whatsapp: (members, logger) => new FailoverWhatsApp(members, logger),
};

/** The port implementation over a failover list (`use: [twilio, vonage]`) of already built adapters. */
export function failoverAdapter<P extends PortName>(port: P, members: NamedAdapter<PortTypes[P]>[], logger: Logger): PortTypes[P] {
  const build = FAILOVER[port] as Builder<P> | undefined;
  if (!build) throw new Error(`${port} takes no failover list`);
  return build(members, logger);
}
