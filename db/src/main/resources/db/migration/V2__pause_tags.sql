-- A pause may hold only the messages carrying one tag (MailerQ's "tags" property), so one
-- campaign can be held without holding the rest. NULL: every message of its scope.
ALTER TABLE pauses ADD COLUMN tag text CHECK (tag IS NULL OR (length(tag) BETWEEN 1 AND 200));
