// The journal fields the normalizer reads: a reader may leave every other field out of the entries it hands on.

/**
 * Every field normalizer.ts and source.ts look at (the message and its priority, Docker's partial-message
 * fields, the container, unit, identifier and process fields the source is derived from, the ECS agent's
 * labels). A new field read there belongs here too: test/normalize/read-fields.test.ts checks that the
 * normalizer makes the same records from entries cut down to these fields as from whole ones, and that the
 * sources name no field missing here.
 *
 * Measured (issue 15): the native reader decoding only these fields (11 of the bench entries' 20, fewer than
 * half of what a real Docker entry carries) spent less of the main thread per entry; see docs/performance.md.
 */
export const NORMALIZER_FIELDS: ReadonlySet<string> = new Set([
  'MESSAGE',
  'PRIORITY',
  'CONTAINER_PARTIAL_MESSAGE',
  'CONTAINER_PARTIAL_ORDINAL',
  'CONTAINER_ID_FULL',
  'CONTAINER_ID',
  'CONTAINER_NAME',
  'IMAGE_NAME',
  '_HOSTNAME',
  '_SYSTEMD_UNIT',
  'SYSLOG_IDENTIFIER',
  '_COMM',
  '_PID',
  'COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY',
  'COM_AMAZONAWS_ECS_TASK_DEFINITION_VERSION',
  'COM_AMAZONAWS_ECS_CLUSTER',
  'COM_AMAZONAWS_ECS_TASK_ARN',
]);
