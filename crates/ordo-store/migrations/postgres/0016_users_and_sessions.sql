-- People who sign in to the operator screens. An email names one user across all clients, since
-- the login form asks only for it and the password. Only an argon2 hash of the password is kept.
CREATE TABLE users (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id      BIGINT  NOT NULL REFERENCES clients (id),
    email          TEXT    NOT NULL UNIQUE,
    role           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    disabled_at    BIGINT
);
CREATE INDEX users_by_client ON users (client_id, email);

-- Signed-in sessions, by the SHA-256 of the cookie's token (the token itself is never stored).
-- A session ends when it is idle too long, when it is too old, or at logout (ended_at).
CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    ended_at      BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The dashboard's throughput of today: shipments packed and dispatched since a time, without
-- walking every shipment the client ever made.
CREATE INDEX shipments_by_created ON shipments (client_id, created_at);
CREATE INDEX shipments_by_dispatched ON shipments (client_id, dispatched_at) WHERE dispatched_at IS NOT NULL;
