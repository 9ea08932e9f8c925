/**
 * Anchor (a) of the acceptance benchmark: the smallest endpoint that does what
 * `POST /v1/messages` must do for one receiver, Express + node-postgres, the
 * same three rows (message, send, outbox) in one transaction, answering 202.
 * No auth, no template, no validation: what Herald's acceptance is compared with.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const { rows } = await pool.query<{ api_key_id: string; team_id: string; template_id: string }>(
    `SELECT k.id AS api_key_id, k.team_id, t.id AS template_id FROM api_key k JOIN template t ON t.team_id = k.team_id LIMIT 1`,
  );
  const seeded = rows[0];
  if (!seeded) throw new Error('the raw endpoint needs the seed (an API key and a template of its team)');
  const app = express();
  app.use(express.json());
  app.post('/v1/messages', async (req, res) => {
    const body = req.body as { receivers: string[]; variables: Record<string, string> };
    const receiver = body.receivers[0] ?? '';
    const messageId = randomUUID();
    const sendId = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO message (id, api_key_id, team_id, template_id, variables, request_hash, receiver_count) VALUES ($1, $2, $3, $4, $5, $6, 1)`,
        [messageId, seeded.api_key_id, seeded.team_id, seeded.template_id, JSON.stringify(body.variables), messageId],
      );
      await client.query(
        `INSERT INTO send (id, message_id, template_id, channel, receiver, receiver_raw, content) VALUES ($1, $2, $3, 'SMS', $4, $4, 'raw')`,
        [sendId, messageId, seeded.template_id, receiver],
      );
      await client.query(`INSERT INTO outbox (send_id, started_at) VALUES ($1, now())`, [sendId]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    res.status(202).json({ messageId, accepted: 1, sends: [{ sendId, receiver, status: 'ACCEPTED' }] });
  });
  const server = app.listen(Number(process.env.RAW_ENDPOINT_PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    void pool.end();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
