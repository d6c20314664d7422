-- A send in one round trip. The same steps the service ran as five statements
-- (BEGIN, relation check, counters, insert, COMMIT) now run inside one
-- statement's transaction: measured, the socket writes of those round trips
-- were a third of the service's CPU per send.
--
-- Cursor allocation: both participants' user_cursors rows are incremented in
-- user-id order (LEAST first, so two sends sharing users never deadlock) and
-- stay locked until the statement's transaction commits. A later send for the
-- same viewer waits on that lock, so it reads a larger counter and commits
-- after this one: each viewer's cursors become visible in increasing order,
-- and a reader paging with ?after= can never skip one.
--
-- Idempotency: a (sender, client_msg_id) already stored answers 'duplicate'
-- with the original message (even if the two can no longer talk). A duplicate
-- racing past that first check is stopped by the unique key: ON CONFLICT DO
-- NOTHING inserts nothing, and the function raises unique_violation so the
-- whole statement rolls back, counters included; the caller reads the original.
CREATE FUNCTION lockbox_messages.send_message(
  p_id text,
  p_sender text,
  p_recipient text,
  p_client_msg_id text,
  p_blob text,
  p_signature text,
  p_sender_public_key text
)
RETURNS TABLE (
  outcome text,
  message_id text,
  conv_id text,
  msg_seq bigint,
  cursor_of_sender bigint,
  cursor_of_recipient bigint,
  stored_at timestamptz
)
LANGUAGE plpgsql
AS $$
DECLARE
  v_conv text;
  v_lo bigint;
  v_hi bigint;
  v_seq bigint;
  v_at timestamptz;
BEGIN
  RETURN QUERY
    SELECT 'duplicate'::text, m.id, m.conversation_id, m.seq, m.sender_cursor, m.recipient_cursor, m.created_at
      FROM lockbox_messages.messages m
     WHERE m.sender_id = p_sender AND m.client_msg_id = p_client_msg_id;
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

  UPDATE lockbox_messages.user_cursors u SET last_cursor = u.last_cursor + 1
   WHERE u.user_id = LEAST(p_sender, p_recipient)
  RETURNING u.last_cursor INTO v_lo;
  UPDATE lockbox_messages.user_cursors u SET last_cursor = u.last_cursor + 1
   WHERE u.user_id = GREATEST(p_sender, p_recipient)
  RETURNING u.last_cursor INTO v_hi;
  UPDATE lockbox_messages.conversations c SET last_seq = c.last_seq + 1
   WHERE c.id = v_conv
  RETURNING c.last_seq INTO v_seq;

  INSERT INTO lockbox_messages.messages AS m
    (id, conversation_id, seq, sender_id, recipient_id, sender_cursor, recipient_cursor,
     client_msg_id, encrypted_blob, signature, sender_public_key)
  VALUES
    (p_id, v_conv, v_seq, p_sender, p_recipient,
     CASE WHEN p_sender < p_recipient THEN v_lo ELSE v_hi END,
     CASE WHEN p_sender < p_recipient THEN v_hi ELSE v_lo END,
     p_client_msg_id, p_blob, p_signature, p_sender_public_key)
  ON CONFLICT (sender_id, client_msg_id) DO NOTHING
  RETURNING m.created_at INTO v_at;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'client_msg_id already used by this sender' USING ERRCODE = 'unique_violation';
  END IF;

  outcome := 'stored';
  message_id := p_id;
  conv_id := v_conv;
  msg_seq := v_seq;
  cursor_of_sender := CASE WHEN p_sender < p_recipient THEN v_lo ELSE v_hi END;
  cursor_of_recipient := CASE WHEN p_sender < p_recipient THEN v_hi ELSE v_lo END;
  stored_at := v_at;
  RETURN NEXT;
END
$$;
