-- A chat request's note sealed end to end to the recipient (issue 11): the
-- envelope and its signature, base64, opaque to the server. The plaintext
-- `message` column stays for the legacy curl API.
ALTER TABLE lockbox_messages.chat_requests ADD COLUMN sealed_note_blob text;
ALTER TABLE lockbox_messages.chat_requests ADD COLUMN sealed_note_signature text;
ALTER TABLE lockbox_messages.chat_requests ADD CONSTRAINT chat_requests_sealed_note_whole
  CHECK ((sealed_note_blob IS NULL) = (sealed_note_signature IS NULL));
