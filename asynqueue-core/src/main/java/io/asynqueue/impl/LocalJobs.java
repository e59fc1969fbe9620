package io.asynqueue.impl;

import io.asynqueue.Deferator;
import io.asynqueue.spi.Job;
import io.vertx.core.Future;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.stream.BaseStream;

/** Runs a job's task in this JVM and settles the job as its {@link Job.ResultKind} says. */
public final class LocalJobs {

  private LocalJobs() {
  }

  /**
   * Runs the task on the current thread and settles the job.
   *
   * @param job the job
   * @param fetcher where an iterator result is stepped (the worker's threads or event loop)
   * @param whenSettled run once the job's outcome is known (later than return for a Future result)
   */
  public static void run(Job job, Executor fetcher, Runnable whenSettled) {
    Object value;
    try {
      value = job.task().invoke(job.args());
    } catch (Throwable t) {
      job.fail(t);
      whenSettled.run();
      return;
    }
    switch (job.resultKind()) {
      case FUTURE:
        if (value instanceof Future) {
          ((Future<?>) value).onComplete(ar -> {
            if (ar.succeeded()) {
              job.complete(ar.result());
            } else {
              job.fail(ar.cause());
            }
            whenSettled.run();
          });
          return;
        }
        job.fail(new IllegalStateException("callAsync task returned " + typeOf(value) + ", not a Future"));
        break;
      case ITERATOR:
        Iterator<?> iterator = asIterator(value);
        if (iterator == null) {
          job.fail(new IllegalStateException("iterate task returned " + typeOf(value) + ", not an Iterator"));
        } else {
          try {
            job.complete(Deferator.fromIterator(job.context(), iterator, fetcher));
          } catch (Throwable t) {
            job.fail(t);
          }
        }
        break;
      default:
        job.complete(value);
    }
    whenSettled.run();
  }

  private static Iterator<?> asIterator(Object value) {
    if (value instanceof Iterator) {
      return (Iterator<?>) value;
    }
    if (value instanceof BaseStream) {
      return ((BaseStream<?, ?>) value).iterator();
    }
    return null;
  }

  private static String typeOf(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
