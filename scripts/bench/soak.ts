/**
 * No-loss soak (RELIABILITY.md, Load): the whole stack — gateway, auth,
 * messages, two realtime instances fanned out through Redis, a fresh Postgres
 * database — under a steady message load for a bounded time, with a
 * realtime instance SIGKILLed at a third of the run and the message service at
 * two thirds, each restarted a few seconds later.
 *
 * The clients behave like real ones: a send that fails (network error, 429,
 * 502, 503, 504) is retried with the same client_msg_id, with backoff, until
 * it commits (201); a recipient's WebSocket that closes reconnects with
 * backoff and resumes after the last cursor it got. Open loop: a message is
 * due at its time whatever happened to earlier ones, and its due time rides in
 * the envelope, so send→deliver latency includes retries and queueing.
 *
 * After a drain it reports sent attempts, committed, delivered, duplicates
 * (a cursor a recipient already had: the exactly-once promise is per cursor),
 * lost (committed − delivered), ordering violations (a new cursor lower than
 * the last), retries, latency, answers by status in each phase, how long each
 * kill disturbed delivery, and each process's memory before and after; then
 * reads every recipient's stream back (GET /messages) and checks the server's
 * record matches what was committed and delivered. Exits 1 when anything was
 * lost, duplicated, out of order or missing from the record.
 *
 *   npm run bench:soak -- [--pairs 20] [--rate 100] [--duration 60] [--down 3]
 *        [--drain 20] [--database-url postgres://…] [--redis-url redis://…] [--keep]
 *
 * The parts live in soak/: options, record, clients, faults, the server's record, figures, phases, report.
 */
import { parseSoakOptions } from './soak/options';
import { runSoak } from './soak/run';

await runSoak(parseSoakOptions());
