-- Provider groups (MX rollup): a name and the MX host patterns of a mailbox provider. Ferry ships
-- the large providers; a row here with the same name replaces the shipped one, others are added.
CREATE TABLE providers (
    id          bigserial PRIMARY KEY,
    revision    integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    name        text      NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    mx_patterns text      NOT NULL CHECK (length(mx_patterns) BETWEEN 1 AND 2000)
);

-- Throttles, pauses and back-offs may name a provider instead of a domain: they then hold for
-- every domain the provider hosts (a throttle's connections and pace across all of them, per
-- local IP). Response rules may be limited to a provider and act on scope 'ip+provider'.
ALTER TABLE throttles ADD COLUMN provider text CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,62}$');
ALTER TABLE throttles ADD CONSTRAINT throttles_domain_or_provider CHECK (domain IS NULL OR provider IS NULL);
DROP INDEX throttles_scope;
CREATE UNIQUE INDEX throttles_scope ON throttles (coalesce(local_ip::text, ''), coalesce(domain::text, ''), coalesce(provider, ''));

ALTER TABLE pauses ADD COLUMN provider text CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,62}$');
ALTER TABLE pauses ADD CONSTRAINT pauses_domain_or_provider CHECK (domain IS NULL OR provider IS NULL);

ALTER TABLE back_offs ADD COLUMN provider text CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,62}$');
ALTER TABLE back_offs ADD CONSTRAINT back_offs_domain_or_provider CHECK (domain IS NULL OR provider IS NULL);

ALTER TABLE response_rules ADD COLUMN provider text CHECK (provider ~ '^[a-z0-9][a-z0-9-]{0,62}$');
ALTER TABLE response_rules DROP CONSTRAINT response_rules_scope_check;
ALTER TABLE response_rules ADD CONSTRAINT response_rules_scope_check CHECK (scope IN ('ip', 'ip+domain', 'ip+provider'));

-- When a pause or a back-off was made, for the console ("since"); an automatic one that is
-- extended keeps the time it was first made.
ALTER TABLE pauses ADD COLUMN since timestamptz NOT NULL DEFAULT now();
ALTER TABLE back_offs ADD COLUMN since timestamptz NOT NULL DEFAULT now();
