-- PostgreSQL drops some foreign keys on the hot path here (see its migration 0005). SQLite checks
-- foreign keys without locking parent rows and has a single writer, so it keeps them all.
SELECT 1;
