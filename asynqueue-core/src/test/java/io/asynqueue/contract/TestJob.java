package io.asynqueue.contract;

import io.asynqueue.Task;
import io.asynqueue.spi.Job;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Job} for driving a worker directly through the SPI, without a queue. It counts every call of
 * {@link #complete(Object)} and {@link #fail(Throwable)}, so a test can check that a worker settles each job
 * exactly once.
 */
public final class TestJob implements Job {

  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final Task<?> task;
  private final Object[] args;
  private final ResultKind kind;
  private final boolean update;
  private final Context context;
  private final Promise<Object> promise = Promise.promise();
  private final AtomicInteger settles = new AtomicInteger();

  private TestJob(Context context, ResultKind kind, boolean update, Task<?> task, Object... args) {
    this.context = context;
    this.kind = kind;
    this.update = update;
    this.task = task;
    this.args = args;
  }

  /**
   * @param context where a Deferator result delivers
   * @param task the task
   * @param args its arguments
   * @return a job of a {@code call}
   */
  public static TestJob call(Context context, Task<?> task, Object... args) {
    return new TestJob(context, ResultKind.VALUE, false, task, args);
  }

  /**
   * @param context where the Deferator delivers
   * @param task a task returning an iterator
   * @param args its arguments
   * @return a job of an {@code iterate}
   */
  public static TestJob iterate(Context context, Task<?> task, Object... args) {
    return new TestJob(context, ResultKind.ITERATOR, false, task, args);
  }

  /**
   * @param context the caller's context
   * @param task the task
   * @param args its arguments
   * @return a job of an {@code update}
   */
  public static TestJob update(Context context, Task<?> task, Object... args) {
    return new TestJob(context, ResultKind.VALUE, true, task, args);
  }

  /**
   * @param <T> the result type
   * @return the job's outcome: the first settle
   */
  @SuppressWarnings("unchecked")
  public <T> Future<T> future() {
    return (Future<T>) promise.future();
  }

  /** @return how many times the worker called complete or fail */
  public int settles() {
    return settles.get();
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public Task<?> task() {
    return task;
  }

  @Override
  public Object[] args() {
    return args;
  }

  @Override
  public ResultKind resultKind() {
    return kind;
  }

  @Override
  public boolean isUpdate() {
    return update;
  }

  @Override
  public boolean isEphemeral() {
    return false;
  }

  @Override
  public boolean isUrgent() {
    return false;
  }

  @Override
  public String describe() {
    return "job" + id + Arrays.toString(args);
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public boolean complete(Object result) {
    settles.incrementAndGet();
    return promise.tryComplete(result);
  }

  @Override
  public boolean fail(Throwable cause) {
    settles.incrementAndGet();
    return promise.tryFail(cause);
  }

  @Override
  public boolean isDone() {
    return promise.future().isComplete();
  }
}
