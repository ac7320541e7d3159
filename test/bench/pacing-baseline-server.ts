/**
 * The media bench's baseline, run as its own process beside the server under test: a WebSocket endpoint that
 * greets each caller and answers each of its utterances (speaking Vonage's wire: binary 20 ms L16 frames, a
 * `notify` after each reply) with one second of frames, paced by
 * - `/interval`: a bare `setInterval(…, 20)` per call (no queue, no schedule), or
 * - `/paced`: the server's own `PacedAudio` (hosts/voice/paced-audio.ts) per call,
 * with no recogniser, brain or database beside it. The caller measures its pacing exactly as it measures the
 * server's, in the same run: what the machine's load alone does to a 20 ms timer loop delivered over loopback,
 * and what the server's pacing code does under that load when it has nothing else to do.
 * Prints `listening <port>` on stdout.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { PacedAudio } from '../../hosts/voice/paced-audio.js';

const FRAME_MS = 20;
const FRAME_BYTES = 640;
const REPLY_FRAMES = 50;
const FRAME = Buffer.alloc(FRAME_BYTES, 1);
const NOTIFY = JSON.stringify({ action: 'notify', payload: { name: 'reply' } });

/** Sends one reply; `busy` says whether one is still being sent. */
interface Replier { reply(): void; busy(): boolean; close(): void }

function intervalReplier(ws: WebSocket): Replier {
  let timer: NodeJS.Timeout | null = null;
  return {
    reply: () => {
      let sent = 0;
      timer = setInterval(() => {
        ws.send(FRAME);
        sent += 1;
        if (sent < REPLY_FRAMES) return;
        clearInterval(timer!);
        timer = null;
        ws.send(NOTIFY);
      }, FRAME_MS);
    },
    busy: () => timer !== null,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}

function pacedReplier(ws: WebSocket): Replier {
  const audio = new PacedAudio({ media: (frame) => ws.send(frame), mark: () => ws.send(NOTIFY), clear: () => undefined }, undefined, { frameBytes: FRAME_BYTES, silence: 0 });
  const reply = Buffer.alloc(FRAME_BYTES * REPLY_FRAMES, 1);
  return {
    reply: () => {
      audio.enqueue(reply);
      audio.mark('reply');
    },
    busy: () => !audio.idle,
    close: () => audio.close(),
  };
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws, request) => {
  const replier = request.url === '/paced' ? pacedReplier(ws) : intervalReplier(ws);
  let speaking = false;
  let greeted = false;
  ws.on('message', (data, isBinary) => {
    // A greeting first, as the server under test says one: callers speak once a reply is over.
    if (!greeted) {
      greeted = true;
      replier.reply();
    }
    if (!isBinary) return;
    const loud = (data as Buffer).some((byte) => byte !== 0);
    // The end of an utterance: the reply starts at once (the real server waits for its recogniser's endpointing).
    if (speaking && !loud && !replier.busy()) replier.reply();
    speaking = loud;
  });
  ws.on('close', () => replier.close());
});
server.on('listening', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
