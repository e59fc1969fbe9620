/**
 * Implementation. Public only so that sibling modules (process, remote) can reuse it; no compatibility
 * promise. {@link io.asynqueue.impl.TaskQueueImpl} explains the scheduler and its locking.
 */
package io.asynqueue.impl;
