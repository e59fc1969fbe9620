package io.asynqueue;

import io.asynqueue.stream.Deferator;
import io.asynqueue.internal.TaskResults;
import io.asynqueue.spi.Job;
import java.util.Iterator;
import java.util.concurrent.Executor;

/** Runs a job's task in this JVM and settles the job by the one rule of {@link TaskResults}. */
final class LocalJobs {

  private LocalJobs() {
  }

  /**
   * Runs the task on the current thread and settles the job.
   *
   * @param job the job
   * @param fetcher where an iterator result is stepped (the worker's threads or event loop)
   * @param whenSettled run once the worker is done with the job: when its outcome is known (later than
   *     return for a Future result), and for an iteration once it is read out, failed or stopped and its
   *     source released
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
    TaskResults.resolve(value, job.resultKind() == Job.ResultKind.ITERATOR, new TaskResults.Outcome() {
      @Override
      public void value(Object result) {
        job.complete(result);
        whenSettled.run();
      }

      @Override
      public void iterator(Iterator<?> iterator) {
        Deferator<?> deferator;
        try {
          deferator = Deferator.fromIterator(job.context(), new CallIterator<>(iterator, job.describe()), fetcher);
        } catch (Throwable t) {
          TaskResults.closeQuietly(iterator);
          failure(t);
          return;
        }
        if (!job.complete(deferator)) {
          deferator.stop(); // settled already (timed out, crashed): nobody will read it
        }
        // The worker holds the iterator until it is read out or stopped: a graceful stop waits for that.
        deferator.done().onComplete(ar -> whenSettled.run());
      }

      @Override
      public void failure(Throwable failure) {
        job.fail(failure);
        whenSettled.run();
      }
    });
  }

  /**
   * The iterator a call returned, whose failures are the call's: a {@link TaskException} naming the call,
   * as from a child process or a remote server.
   */
  private static final class CallIterator<T> implements Iterator<T>, AutoCloseable {
    private final Iterator<T> iterator;
    private final String call;

    CallIterator(Iterator<T> iterator, String call) {
      this.iterator = iterator;
      this.call = call;
    }

    @Override
    public boolean hasNext() {
      try {
        return iterator.hasNext();
      } catch (Throwable t) {
        throw new TaskException("next of " + call, t);
      }
    }

    @Override
    public T next() {
      try {
        return iterator.next();
      } catch (Throwable t) {
        throw new TaskException("next of " + call, t);
      }
    }

    @Override
    public void close() throws Exception {
      if (iterator instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }
}
