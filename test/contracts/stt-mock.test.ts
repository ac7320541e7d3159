import { describeSttContract } from '../../contracts/stt.js';
import { MockStt } from '../../adapters/mock/mock-stt.js';
import { spokenLinear16, spokenMulaw } from '../support/spoken-audio.js';

const capabilities = { encodings: ['mulaw', 'linear16'] as const, interimResults: true };

for (const request of [{ encoding: 'mulaw' as const, sampleRate: 8000 }, { encoding: 'linear16' as const, sampleRate: 16000 }]) {
  describeSttContract({
    name: `mock (${request.encoding} ${request.sampleRate} Hz)`,
    capabilities,
    request,
    async factory() {
      const port = new MockStt({ phrases: ['(unscripted)'] });
      return {
        port,
        harness: {
          utterance: (text, silenceMs) => (request.encoding === 'mulaw' ? spokenMulaw(text, silenceMs) : spokenLinear16(text, request.sampleRate, silenceMs)),
          willHear: (text) => port.hear(text),
          dropConnections: () => port.dropStreams(),
          unavailableNext: () => port.failNextOpen('PROVIDER_UNAVAILABLE'),
          refuseCredentialsNext: () => port.failNextOpen('PROVIDER_AUTH_FAILED'),
        },
      };
    },
  });
}
