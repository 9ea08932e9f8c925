import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One mail the fake accepted: the envelope and the raw message as it came over the wire. */
export interface ReceivedMail {
  user: string;
  from: string;
  to: string[];
  raw: string;
}

/** How the fake answers RCPT TO for one address: an SMTP reply, or never (the client must time out). */
export type RecipientAnswer = { code: number; text: string } | 'hang';

export interface FakeSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** Connections opened since the start, and those open now. */
  connections(): { opened: number; open: number };
  /** Sets the answer for a recipient address (lower-case); other addresses are accepted. */
  answerRecipient(address: string, answer: RecipientAnswer): void;
  close(): Promise<void>;
}

function smtpReply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/**
 * A real SMTP server (smtp-server, plain text, AUTH PLAIN/LOGIN required)
 * that checks the credentials (535 otherwise), answers RCPT TO per address,
 * records every accepted message, and counts connections.
 */
export async function startFakeSmtpServer(credentials: { user: string; pass: string }): Promise<FakeSmtpServer> {
  const received: ReceivedMail[] = [];
  const answers = new Map<string, RecipientAnswer>();
  let opened = 0;
  let closed = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 200,
    logger: false,
    onConnect(_session, callback) {
      opened += 1;
      callback();
    },
    onClose() {
      closed += 1;
    },
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      return callback(smtpReply(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      const answer = answers.get(address.address.toLowerCase());
      if (answer === 'hang') return; // never answer: the client's socket timeout decides
      if (answer) return callback(answer.code >= 400 ? smtpReply(answer.code, answer.text) : null);
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          user: String(session.user),
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback(null, `Ok: queued as FAKE${received.length}`);
      });
    },
  });
  const listening = server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
  return {
    port: (listening.address() as AddressInfo).port,
    received,
    connections: () => ({ opened, open: opened - closed }),
    answerRecipient(address, answer) {
      answers.set(address.toLowerCase(), answer);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
