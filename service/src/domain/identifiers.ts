/**
 * The shapes of names, in one place: the HTTP schemas, the configuration and the replication parser check
 * against these.
 */

/** What clients choose (subjects, actors, event ids, limit keys): ASCII, no `/` (it separates bucket ids). */
export const IDENTIFIER_SOURCE = '^[A-Za-z0-9][A-Za-z0-9._:~@-]*$';
export const IDENTIFIER_MAX_LENGTH = 128;
export const IDENTIFIER_PATTERN = new RegExp(
  IDENTIFIER_SOURCE.replace('*$', `{0,${IDENTIFIER_MAX_LENGTH - 1}}$`),
);

/** Token-bucket policy names (they become metric label values). */
export const POLICY_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** A region name, DNS-label style. */
const REGION_SOURCE = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
export const REGION_PATTERN = new RegExp(`^${REGION_SOURCE}$`);

/** A replica is one region's store incarnation: `<region>.<epoch>`, the epoch changing when a store starts empty. */
export const REPLICA_PATTERN = new RegExp(`^${REGION_SOURCE}\\.[a-z0-9]{1,16}$`);

/** Field names of the CRDT states: a per-replica counter `<replica>|<counter>` or the shared `peak`. */
export const FIELD_PATTERN = new RegExp(`^(?:${REGION_SOURCE}\\.[a-z0-9]{1,16}\\|[a-z][a-z0-9]{0,3}|peak)$`);
