/**
 * nodemailer's `getSocket` hook: the SMTP connection is opened here, through
 * the outbound guard (one lookup, the checked address connected to), and
 * handed to nodemailer already connected. nodemailer still speaks TLS to the
 * configured host name (SNI and certificate check), implicit or by STARTTLS.
 */
import { connect, type Socket } from 'node:net';
import type { OutboundGuard } from './outbound-guard';

/** The part of nodemailer's transport options this hook reads. */
export interface SmtpSocketOptions {
  host?: string;
  port?: number | string;
  connectionTimeout?: number;
}

export type SmtpSocketFactory = (options: SmtpSocketOptions, callback: (err: Error | null, socketOptions?: { connection: Socket }) => void) => void;

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export function guardedSmtpSocket(guard: OutboundGuard): SmtpSocketFactory {
  return (options, callback) => {
    const host = options.host ?? '';
    const refused = guard.literalRefusal(host);
    if (refused) {
      callback(refused);
      return;
    }
    const socket = connect({ host, port: Number(options.port ?? 25), lookup: guard.lookup });
    socket.setTimeout(options.connectionTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`connection to ${host} timed out`)));
    const failed = (error: Error): void => callback(error);
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.off('error', failed);
      socket.setTimeout(0);
      callback(null, { connection: socket });
    });
  };
}
