-- Leases for background work: one row per job; the instance whose claim is current runs it.
-- `version` grows with every claim, and work under a lease checks it before writing.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY NOT NULL,
    holder      TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    version     BIGINT NOT NULL
);
