-- The message service as MLS Delivery Service (docs/SECURITY.md 10.14). MLS
-- messages are rows of the same per-user stream as v1 envelopes, marked by
-- mls_kind and mls_epoch; each conversation counts its accepted commits in
-- mls_epoch (the epoch the next commit must be made in).
ALTER TABLE lockbox_messages.conversations ADD COLUMN mls_epoch bigint NOT NULL DEFAULT 0;

ALTER TABLE lockbox_messages.messages ADD COLUMN mls_kind text;
ALTER TABLE lockbox_messages.messages ADD COLUMN mls_epoch bigint;
-- An MLS row has both markers, an empty signature (MLS signs inside) and no
-- v1 sender key. NOT VALID: every row before this migration is v1 (both
-- markers NULL), so checking them would only hold the table locked for a scan.
ALTER TABLE lockbox_messages.messages ADD CONSTRAINT messages_mls_shape CHECK (
  (mls_kind IS NULL AND mls_epoch IS NULL)
  OR (mls_kind IN ('application', 'commit', 'welcome') AND mls_epoch >= 0
      AND signature = '' AND sender_public_key IS NULL)
) NOT VALID;

-- The stored answer of (sender, client_msg_id), if any: the row, and the
-- Welcome stored with it (same conversation, the next seq). Two probes of the
-- unique (sender_id, client_msg_id) key.
CREATE FUNCTION lockbox_messages.mls_original(p_sender text, p_client_msg_id text)
RETURNS TABLE (
  outcome text,
  message_id text,
  conv_id text,
  msg_seq bigint,
  cursor_of_sender bigint,
  cursor_of_recipient bigint,
  stored_at timestamptz,
  item_kind text,
  item_epoch bigint,
  welcome_id text,
  current_epoch bigint
)
-- VOLATILE (the default) on purpose: called again after send_mls takes its locks,
-- it must read with a fresh snapshot, not the one the statement started with.
LANGUAGE sql
AS $$
  SELECT 'duplicate'::text, m.id, m.conversation_id, m.seq, m.sender_cursor, m.recipient_cursor, m.created_at,
         m.mls_kind, m.mls_epoch, w.id, NULL::bigint
    FROM lockbox_messages.messages m
    LEFT JOIN lockbox_messages.messages w
      ON w.sender_id = m.sender_id AND w.client_msg_id = 'welcome:' || m.id AND w.mls_kind = 'welcome'
   WHERE m.sender_id = p_sender AND m.client_msg_id = p_client_msg_id
$$;

-- An MLS send in one round trip, the same steps as send_message (003) plus
-- the commit rule. Returns one row; outcome is 'stored', 'duplicate',
-- 'conflict' (current_epoch says where the conversation is), or a refusal.
--
-- Locks, in the one order every writer of a conversation takes them: both
-- users' user_cursors rows (LEAST first, as send_message does), then the
-- conversation row. Holding both cursor rows serialises every send between
-- the two users, so the epoch read after them is the latest committed one and
-- cannot change before this transaction ends: for one epoch exactly one commit
-- passes the check, the others see the advanced epoch and get 'conflict'
-- with nothing written (no counter moved, so no cursor or seq is skipped).
--
-- Idempotency: (sender, client_msg_id) is looked up first, and again once the
-- locks are held (a sender's sends all lock the sender's cursor row), so a
-- retried commit that raced its own first attempt answers that attempt's
-- result instead of 'conflict'. The unique key stays the last guard, as in
-- send_message. A Welcome is stored under client_msg_id 'welcome:' || the
-- commit's message id: unique, and not a key a client can take before the
-- commit exists (message ids are random and made here).
CREATE FUNCTION lockbox_messages.send_mls(
  p_id text,
  p_welcome_id text,
  p_sender text,
  p_recipient text,
  p_client_msg_id text,
  p_kind text,
  p_epoch bigint,
  p_blob text,
  p_welcome text
)
RETURNS TABLE (
  outcome text,
  message_id text,
  conv_id text,
  msg_seq bigint,
  cursor_of_sender bigint,
  cursor_of_recipient bigint,
  stored_at timestamptz,
  item_kind text,
  item_epoch bigint,
  welcome_id text,
  current_epoch bigint
)
LANGUAGE plpgsql
AS $$
DECLARE
  v_conv text;
  v_epoch bigint;
  v_n bigint := CASE WHEN p_welcome IS NULL THEN 1 ELSE 2 END;
  v_lo bigint;
  v_hi bigint;
  v_seq bigint;
  v_at timestamptz;
BEGIN
  RETURN QUERY SELECT * FROM lockbox_messages.mls_original(p_sender, p_client_msg_id);
  IF FOUND THEN
    RETURN;
  END IF;

  SELECT c.conversation_id INTO v_conv
    FROM lockbox_messages.contacts c
   WHERE c.user_id = p_sender AND c.contact_id = p_recipient;
  IF v_conv IS NULL THEN
    outcome := 'not_contact';
    RETURN NEXT;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM lockbox_messages.blocks b WHERE b.blocker_id = p_sender AND b.blocked_id = p_recipient) THEN
    outcome := 'blocked_by_sender';
    RETURN NEXT;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM lockbox_messages.blocks b WHERE b.blocker_id = p_recipient AND b.blocked_id = p_sender) THEN
    outcome := 'blocked_by_recipient';
    RETURN NEXT;
    RETURN;
  END IF;

  PERFORM 1 FROM lockbox_messages.user_cursors u WHERE u.user_id = LEAST(p_sender, p_recipient) FOR UPDATE;
  PERFORM 1 FROM lockbox_messages.user_cursors u WHERE u.user_id = GREATEST(p_sender, p_recipient) FOR UPDATE;

  RETURN QUERY SELECT * FROM lockbox_messages.mls_original(p_sender, p_client_msg_id);
  IF FOUND THEN
    RETURN;
  END IF;

  SELECT c.mls_epoch INTO v_epoch FROM lockbox_messages.conversations c WHERE c.id = v_conv FOR UPDATE;
  IF p_kind = 'commit' AND v_epoch <> p_epoch THEN
    outcome := 'conflict';
    current_epoch := v_epoch;
    RETURN NEXT;
    RETURN;
  END IF;

  UPDATE lockbox_messages.user_cursors u SET last_cursor = u.last_cursor + v_n
   WHERE u.user_id = LEAST(p_sender, p_recipient)
  RETURNING u.last_cursor INTO v_lo;
  UPDATE lockbox_messages.user_cursors u SET last_cursor = u.last_cursor + v_n
   WHERE u.user_id = GREATEST(p_sender, p_recipient)
  RETURNING u.last_cursor INTO v_hi;
  UPDATE lockbox_messages.conversations c
     SET last_seq = c.last_seq + v_n,
         mls_epoch = c.mls_epoch + CASE WHEN p_kind = 'commit' THEN 1 ELSE 0 END
   WHERE c.id = v_conv
  RETURNING c.last_seq, c.mls_epoch INTO v_seq, v_epoch;

  -- The first item takes the first of the v_n positions just counted.
  INSERT INTO lockbox_messages.messages AS m
    (id, conversation_id, seq, sender_id, recipient_id, sender_cursor, recipient_cursor,
     client_msg_id, encrypted_blob, signature, mls_kind, mls_epoch)
  VALUES
    (p_id, v_conv, v_seq - v_n + 1, p_sender, p_recipient,
     CASE WHEN p_sender < p_recipient THEN v_lo ELSE v_hi END - v_n + 1,
     CASE WHEN p_sender < p_recipient THEN v_hi ELSE v_lo END - v_n + 1,
     p_client_msg_id, p_blob, '', p_kind, p_epoch)
  ON CONFLICT (sender_id, client_msg_id) DO NOTHING
  RETURNING m.created_at INTO v_at;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'client_msg_id already used by this sender' USING ERRCODE = 'unique_violation';
  END IF;

  IF p_welcome IS NOT NULL THEN
    INSERT INTO lockbox_messages.messages
      (id, conversation_id, seq, sender_id, recipient_id, sender_cursor, recipient_cursor,
       client_msg_id, encrypted_blob, signature, mls_kind, mls_epoch, created_at)
    VALUES
      (p_welcome_id, v_conv, v_seq, p_sender, p_recipient,
       CASE WHEN p_sender < p_recipient THEN v_lo ELSE v_hi END,
       CASE WHEN p_sender < p_recipient THEN v_hi ELSE v_lo END,
       'welcome:' || p_id, p_welcome, '', 'welcome', v_epoch, v_at);
  END IF;

  outcome := 'stored';
  message_id := p_id;
  conv_id := v_conv;
  msg_seq := v_seq - v_n + 1;
  cursor_of_sender := CASE WHEN p_sender < p_recipient THEN v_lo ELSE v_hi END - v_n + 1;
  cursor_of_recipient := CASE WHEN p_sender < p_recipient THEN v_hi ELSE v_lo END - v_n + 1;
  stored_at := v_at;
  item_kind := p_kind;
  item_epoch := p_epoch;
  welcome_id := CASE WHEN p_welcome IS NULL THEN NULL ELSE p_welcome_id END;
  current_epoch := v_epoch;
  RETURN NEXT;
END
$$;
