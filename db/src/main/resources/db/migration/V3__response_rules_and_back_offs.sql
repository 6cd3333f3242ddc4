-- Response rules (MailerQ's response patterns) the operator adds in the console or the API; they
-- come before the rules Ferry ships, in the order they were made (by id). A reply matches when
-- it has the code prefix, the enhanced status prefix and the regular expression that are given.
CREATE TABLE response_rules (
    id                  bigserial PRIMARY KEY,
    revision            integer   NOT NULL DEFAULT 1 CHECK (revision > 0),
    name                text      NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    code                text      NOT NULL DEFAULT '' CHECK (code ~ '^([245][0-9]{0,2})?$'),
    status              text      NOT NULL DEFAULT '' CHECK (status ~ '^([245](\.([0-9]{1,3}(\.([0-9]{1,3})?)?)?)?)?$'),
    pattern             text      NOT NULL DEFAULT '' CHECK (length(pattern) <= 1000),
    domain              dns_name,
    action              text      NOT NULL CHECK (action IN ('suspend', 'backoff', 'temporary', 'permanent', 'classify')),
    scope               text      NOT NULL DEFAULT 'ip+domain' CHECK (scope IN ('ip', 'ip+domain')),
    minutes             integer   CHECK (minutes BETWEEN 1 AND 10080),
    messages_per_minute integer   CHECK (messages_per_minute > 0),
    max_connections     integer   CHECK (max_connections > 0),
    category            text      CHECK (category IS NULL OR length(category) BETWEEN 1 AND 40),
    note                text      NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    CHECK (code <> '' OR status <> '' OR pattern <> '')
);

-- Back-offs: sending from some local IPs (to a domain, or to any) goes on slower until a time.
-- Response rules write them (reason 'automatic: ...', one per scope, extended rather than
-- duplicated); an operator may add one or lift one early by deleting it.
CREATE TABLE back_offs (
    id                  bigserial   PRIMARY KEY,
    revision            integer     NOT NULL DEFAULT 1 CHECK (revision > 0),
    local_ip            cidr        NOT NULL,
    domain              dns_name,
    until               timestamptz NOT NULL,
    messages_per_minute integer     CHECK (messages_per_minute > 0),
    max_connections     integer     CHECK (max_connections > 0),
    reason              text        NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    CHECK (messages_per_minute IS NOT NULL OR max_connections IS NOT NULL)
);
