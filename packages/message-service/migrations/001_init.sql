-- Message service schema: relationships and the ciphertext store. User ids come
-- from auth-service (its tables are never read from here), so there are no
-- foreign keys to users; every list has an index that serves its keyset page.

-- A request to connect. At most one pending request per pair of users, either
-- direction (the unordered pair is unique among pending rows), so two people
-- asking each other at once cannot leave two pending requests behind.
CREATE TABLE lockbox_messages.chat_requests (
  id text PRIMARY KEY,
  from_user_id text NOT NULL,
  to_user_id text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
  message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  responded_at timestamptz,
  CHECK (from_user_id <> to_user_id)
);
CREATE UNIQUE INDEX chat_requests_pending_pair_key ON lockbox_messages.chat_requests
  (LEAST(from_user_id, to_user_id), GREATEST(from_user_id, to_user_id)) WHERE status = 'pending';
CREATE INDEX chat_requests_incoming_idx ON lockbox_messages.chat_requests
  (to_user_id, created_at, id) WHERE status = 'pending';
CREATE INDEX chat_requests_outgoing_idx ON lockbox_messages.chat_requests
  (from_user_id, created_at, id) WHERE status = 'pending';

-- One conversation per pair of contacts (user_a < user_b). last_seq is the
-- per-conversation counter that numbers its messages 1, 2, 3, ...
CREATE TABLE lockbox_messages.conversations (
  id text PRIMARY KEY,
  user_a text NOT NULL,
  user_b text NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (user_a < user_b),
  UNIQUE (user_a, user_b)
);

-- Contacts are accepted requests, stored once per side so "my contacts" is one index range.
CREATE TABLE lockbox_messages.contacts (
  user_id text NOT NULL,
  contact_id text NOT NULL,
  conversation_id text NOT NULL REFERENCES lockbox_messages.conversations (id),
  since timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, contact_id)
);
CREATE INDEX contacts_page_idx ON lockbox_messages.contacts (user_id, since, contact_id);

-- blocker_id blocked blocked_id. The primary key answers "is there a block
-- either way" with two index probes.
CREATE TABLE lockbox_messages.blocks (
  blocker_id text NOT NULL,
  blocked_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_page_idx ON lockbox_messages.blocks (blocker_id, created_at, blocked_id);

-- Each user's stream position counter. A send increments both participants'
-- rows (locked in user-id order) and keeps the locks until commit, so one
-- viewer's cursors become visible strictly in increasing order: a reader paging
-- with ?after= can never skip a message that commits later with a smaller cursor.
CREATE TABLE lockbox_messages.user_cursors (
  user_id text PRIMARY KEY,
  last_cursor bigint NOT NULL DEFAULT 0
);

-- Opaque envelopes. sender_cursor / recipient_cursor are the message's position
-- in each viewer's own stream; (sender_id, client_msg_id) makes sends idempotent.
CREATE TABLE lockbox_messages.messages (
  id text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES lockbox_messages.conversations (id),
  seq bigint NOT NULL,
  sender_id text NOT NULL,
  recipient_id text NOT NULL,
  sender_cursor bigint NOT NULL,
  recipient_cursor bigint NOT NULL,
  client_msg_id text NOT NULL,
  encrypted_blob text NOT NULL,
  signature text NOT NULL,
  sender_public_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT messages_sender_client_msg_id_key UNIQUE (sender_id, client_msg_id),
  CONSTRAINT messages_conversation_seq_key UNIQUE (conversation_id, seq)
);
CREATE UNIQUE INDEX messages_sender_cursor_key ON lockbox_messages.messages (sender_id, sender_cursor);
CREATE UNIQUE INDEX messages_recipient_cursor_key ON lockbox_messages.messages (recipient_id, recipient_cursor);

-- Read receipts: the highest seq each participant has read; it only moves forward.
CREATE TABLE lockbox_messages.read_receipts (
  conversation_id text NOT NULL REFERENCES lockbox_messages.conversations (id),
  user_id text NOT NULL,
  up_to_seq bigint NOT NULL,
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, user_id)
);
