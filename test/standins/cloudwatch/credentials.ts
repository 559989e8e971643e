// The fake AWS credentials of the tests and the bench: the stand-in knows the secret, so it verifies signatures.

/** Fake keys that only ever reach the 127.0.0.1 stand-in. */
export const STANDIN_ACCESS_KEY_ID = 'AKIDSTANDIN';
export const STANDIN_SECRET_ACCESS_KEY = 'standin-secret';

/** Environment for a daemon that talks to the stand-in through the SDK's default credential chain. */
export const STANDIN_AWS_ENV = {
  AWS_ACCESS_KEY_ID: STANDIN_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: STANDIN_SECRET_ACCESS_KEY,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;
