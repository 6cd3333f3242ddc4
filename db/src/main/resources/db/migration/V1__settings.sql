-- The settings the cluster shares. Every change to any of these tables happens in a transaction
-- that also bumps config_version (see SettingsWriter), so a version names one consistent state.
-- Constraints hold what must always be true, whoever writes: the console, psql, a script.

CREATE TABLE config_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint  NOT NULL CHECK (version >= 0)
);
INSERT INTO config_version (singleton, version) VALUES (true, 0);

-- A lower-case DNS name of two labels or more, no trailing dot (the canonical form of Domain).
CREATE DOMAIN dns_name AS text CHECK (
    length(VALUE) <= 253
    AND VALUE ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
);

-- One IP address, not a network.
CREATE DOMAIN single_ip AS inet CHECK (masklen(VALUE) = CASE family(VALUE) WHEN 4 THEN 32 ELSE 128 END);

CREATE TABLE ip_pools (
    id       bigserial PRIMARY KEY,
    revision integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    name     text      NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$')
);

CREATE TABLE ip_pool_ips (
    pool_id  bigint    NOT NULL REFERENCES ip_pools (id) ON DELETE CASCADE,
    position integer   NOT NULL CHECK (position >= 0),
    ip       single_ip NOT NULL,
    PRIMARY KEY (pool_id, ip),
    UNIQUE (pool_id, position)
);

CREATE TABLE throttles (
    id                      bigserial PRIMARY KEY,
    revision                integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    local_ip                cidr,
    domain                  dns_name,
    max_connections         integer CHECK (max_connections > 0),
    messages_per_minute     integer CHECK (messages_per_minute > 0),
    messages_per_connection integer CHECK (messages_per_connection > 0),
    idle_timeout_seconds    integer CHECK (idle_timeout_seconds > 0)
);
-- At most one throttle per scope; NULL (any) counts as a value here.
CREATE UNIQUE INDEX throttles_scope ON throttles (coalesce(local_ip::text, ''), coalesce(domain::text, ''));

CREATE TABLE domain_routes (
    id       bigserial PRIMARY KEY,
    revision integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    domain   dns_name  NOT NULL UNIQUE,
    kind     text      NOT NULL CHECK (kind IN ('mx', 'smarthost')),
    host     text      NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port     integer   NOT NULL DEFAULT 25 CHECK (port BETWEEN 1 AND 65535)
);

CREATE TABLE pauses (
    id       bigserial   PRIMARY KEY,
    revision integer     NOT NULL DEFAULT 1 CHECK (revision > 0),
    local_ip cidr,
    domain   dns_name,
    until    timestamptz,
    reason   text        NOT NULL DEFAULT '' CHECK (length(reason) <= 500)
);

CREATE TABLE ehlo_names (
    id       bigserial PRIMARY KEY,
    revision integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    local_ip single_ip NOT NULL UNIQUE,
    name     dns_name  NOT NULL
);

CREATE TABLE dkim_keys (
    id          bigserial PRIMARY KEY,
    revision    integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    domain      dns_name  NOT NULL,
    selector    text      NOT NULL CHECK (selector ~ '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'),
    private_key text      NOT NULL CHECK (private_key LIKE '-----BEGIN PRIVATE KEY-----%'),
    UNIQUE (domain, selector)
);
