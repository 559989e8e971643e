// Public names of the checkpoint stage.
export { CheckpointStore, type Checkpoint } from './checkpoint-store.ts';
