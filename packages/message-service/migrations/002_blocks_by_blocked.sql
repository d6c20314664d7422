-- "Who blocked me": the incoming-requests and open-contacts queries check a
-- block from the other side (blocker_id = them, blocked_id = me); without this
-- index the planner hashed a scan of every block.
CREATE INDEX blocks_blocked_idx ON lockbox_messages.blocks (blocked_id, blocker_id);
