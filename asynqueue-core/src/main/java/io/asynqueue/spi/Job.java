package io.asynqueue.spi;

import io.asynqueue.Task;
import io.vertx.core.Context;

/**
 * One task handed to a {@link Worker}: what to run, how to treat its result, and where to report it.
 *
 * <p>{@link #complete(Object)} and {@link #fail(Throwable)} may be called from any thread; the first call
 * settles the job and later ones return {@code false}. The caller's Future completes on the caller's context
 * whatever thread settles the job.
 */
public interface Job {

  /**
   * Which kind of call the job is. What the task's value means for each is one rule for every worker kind,
   * {@code io.asynqueue.internal.TaskResults} (a Future or CompletionStage is awaited; an iterator stays
   * where the task ran): workers in this JVM apply it, and so do the child process and the remote server.
   */
  enum ResultKind {
    /** {@code call} or {@code callAsync}: complete the job with the task's value. */
    VALUE,
    /**
     * {@code iterate}: the value is an {@code Iterator}, {@code Iterable} or {@code Stream} that stays where
     * the task ran: complete the job with a {@link io.asynqueue.stream.Deferator} over it (see
     * {@link io.asynqueue.stream.Deferator#fromIterator}).
     */
    ITERATOR
  }

  /** @return the job's ID, unique within its queue */
  long id();

  /** @return the task to run */
  Task<?> task();

  /** @return the task's arguments; do not modify */
  Object[] args();

  /** @return how to treat the task's result */
  ResultKind resultKind();

  /** @return {@code true} for an update job, run on every worker (a worker that restarts replays these) */
  boolean isUpdate();

  /** @return {@code true} for an update that is not replayed on workers attached or restarted later */
  boolean isEphemeral();

  /** @return {@code true} if the job should run before others the worker holds (doNext, or a retry) */
  boolean isUrgent();

  /** @return the call described, such as {@code timesTwo(3)}, for logs and errors */
  String describe();

  /** @return the context of the caller, where its Future completes and a Deferator delivers */
  Context context();

  /**
   * Settles the job with a result.
   *
   * @param result the result (for {@link ResultKind#ITERATOR}, a Deferator)
   * @return {@code false} if the job was already settled
   */
  boolean complete(Object result);

  /**
   * Settles the job with a failure: what the task threw (the queue wraps it in a
   * {@link io.asynqueue.TaskException}), or an {@link io.asynqueue.AsynQueueException} such as
   * {@link io.asynqueue.WorkerLostException}, which may lead to a retry.
   *
   * @param cause the failure
   * @return {@code false} if the job was already settled
   */
  boolean fail(Throwable cause);

  /** @return whether the job has been settled */
  boolean isDone();
}
