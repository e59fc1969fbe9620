package io.asynqueue;

import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker with its own thread(s), for blocking or CPU-bound tasks (see {@link Workers#thread(int, Set)}).
 *
 * <p>It runs one task per thread at a time ({@link #capacity()} = threads). A task's exception fails only
 * that call. When a call's timeout runs out the worker interrupts the task's thread and at once starts a
 * replacement, so a task that ignores the interrupt is abandoned on its old thread (which ends when the task
 * does) and the worker stays available. Iterators returned by tasks are stepped on the worker's threads.
 *
 * <p>Threads are daemon threads named {@code asynqueue-<queue>-thread-<worker id>-<n>}.
 */
final class ThreadWorker implements Worker {

  private static final Logger LOG = LoggerFactory.getLogger(ThreadWorker.class);
  private static final Runnable POISON = () -> { };
  /**
   * How long a thread that runs out of work polls its inbox before it parks. A step handed to a thread that is
   * still polling costs the caller no wake-up (a futex call, and 10-40 us before the thread runs on a busy
   * 2-core machine), which is what a burst of short tasks mostly paid for otherwise.
   */
  private static final long SPIN_NANOS = 20_000;

  private final int threads;
  private final Set<String> series;
  private final Inbox inbox = new Inbox();
  private final Set<Job> held = ConcurrentHashMap.newKeySet();
  private final Set<Runner> runners = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threadCount = new AtomicInteger();
  private volatile boolean stopping;
  private volatile boolean crashed;
  private volatile int workerId;
  /** The queue's name, for the threads' names and the messages ({@code thread worker 2 of q1}). */
  private volatile String queueName = "queue";
  private Promise<Void> stopped;
  private boolean poisoned;
  private boolean joining;
  private final Set<Thread> threadsToJoin = ConcurrentHashMap.newKeySet();
  private volatile io.vertx.core.Vertx vertx;

  ThreadWorker(int threads, Set<String> series) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    this.threads = threads;
    this.series = Set.copyOf(Objects.requireNonNull(series, "series"));
  }




  @Override
  public Set<String> series() {
    return series;
  }

  @Override
  public int capacity() {
    return threads;
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    workerId = supervisor.workerId();
    queueName = supervisor.queueName();
    vertx = supervisor.vertx();
    for (int i = 0; i < threads; i++) {
      startThread();
    }
    return Future.succeededFuture();
  }

  private void startThread() {
    Runner runner = new Runner();
    String name = "asynqueue-" + queueName + "-thread-" + workerId + "-" + threadCount.incrementAndGet();
    Thread thread = new RunnerThread(runner, name);
    thread.setDaemon(true);
    runner.thread = thread;
    runners.add(runner);
    threadsToJoin.add(thread);
    thread.start();
  }

  @Override
  public void run(Job job) {
    if (crashed) {
      job.fail(new WorkerLostException(this + " has crashed"));
      return;
    }
    held.add(job);
    JobStep step = new JobStep(job);
    Thread t = Thread.currentThread();
    if (t instanceof RunnerThread && ((RunnerThread) t).runner.handOff(this, step)) {
      return;
    }
    if (job.isUrgent()) {
      inbox.offerFirst(step);
    } else {
      inbox.offerLast(step);
    }
  }

  /** A job to run on one of the threads; the unit a timeout interrupts. */
  private final class JobStep implements Runnable {
    final Job job;

    JobStep(Job job) {
      this.job = job;
    }

    @Override
    public void run() {
      LocalJobs.run(job, ThreadWorker.this::execute, this::settled);
    }

    private void settled() {
      held.remove(job);
      if (stopping) {
        maybeStopped();
      }
    }
  }

  /** Runs a step (an iterator's next batch) on the worker's threads. */
  private void execute(Runnable step) {
    if (crashed || stopped != null && runners.isEmpty()) {
      throw new RejectedExecutionException(this + " is stopped");
    }
    inbox.offerLast(step);
  }

  @Override
  public void cancel(Job job) {
    held.remove(job);
    for (Runner runner : runners) {
      if (runner.abandonIfRunning(job)) {
        if (!crashed) {
          startThread();
        }
        return;
      }
    }
  }

  @Override
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      stopped = Promise.promise();
      stopping = true;
      maybeStopped();
    }
    return stopped.future();
  }

  /** Once stopping and idle, ends the threads; the stop completes when the last one has ended. */
  private synchronized void maybeStopped() {
    if (stopped == null || stopped.future().isComplete()) {
      return;
    }
    if (held.isEmpty() && !poisoned) {
      poisoned = true;
      for (int i = 0; i < runners.size(); i++) {
        inbox.offerLast(POISON);
      }
    }
    if (runners.isEmpty() && !joining) {
      joining = true;
      // The last runner calls this on its way out: join the threads elsewhere, so stop means ended.
      List<Thread> ended = new ArrayList<>(threadsToJoin);
      try {
        vertx.executeBlocking(() -> {
          for (Thread t : ended) {
            t.join();
          }
          return null;
        }, false).onComplete(ar -> stopped.tryComplete());
      } catch (RejectedExecutionException closed) {
        stopped.tryComplete(); // Vert.x is closed (an abandoned thread ended late): nobody waits for the join
      }
    }
  }

  @Override
  public List<Job> crash() {
    crashed = true;
    stopping = true;
    List<Job> left = new ArrayList<>(held);
    held.clear();
    inbox.clear();
    for (Runner runner : runners) {
      runner.retired = true;
      runner.thread.interrupt();
    }
    return left;
  }

  /**
   * The steps waiting for a thread, urgent ones first: a lock-free deque, and a semaphore counting its steps
   * for the threads to wait on. A thread polling for work (see {@link Runner#nextStep()}) takes no lock, so it
   * never holds up the thread handing it a step; and handing over a step wakes a thread only if one is parked.
   */
  private static final class Inbox {
    private final ConcurrentLinkedDeque<Runnable> steps = new ConcurrentLinkedDeque<>();
    private final Semaphore available = new Semaphore(0);

    void offerFirst(Runnable step) {
      steps.offerFirst(step);
      available.release();
    }

    void offerLast(Runnable step) {
      steps.offerLast(step);
      available.release();
    }

    boolean isEmpty() {
      return steps.isEmpty();
    }

    /** Drops every step; a permit left over only makes a thread look once more and wait again. */
    void clear() {
      steps.clear();
    }

    /** @return the next step, or null if there is none */
    Runnable poll() {
      return available.tryAcquire() ? steps.pollFirst() : null;
    }

    /** @return the next step, waiting for one */
    Runnable take() throws InterruptedException {
      while (true) {
        available.acquire();
        Runnable step = steps.pollFirst();
        if (step != null) {
          return step;
        }
      }
    }
  }

  /** A thread of a worker, which knows its runner (see {@link Runner#handOff}). */
  private static final class RunnerThread extends Thread {
    final Runner runner;

    RunnerThread(Runner runner, String name) {
      super(runner, name);
      this.runner = runner;
    }
  }

  /** One thread's loop. {@code current} and {@code retired} change under the runner's monitor. */
  private final class Runner implements Runnable {
    Thread thread;
    private Runnable current;
    /** A step handed straight to this thread, to run after its current one; touched only by this thread. */
    private Runnable next;
    volatile boolean retired;

    /**
     * Takes the step as this thread's next one, if the caller is this thread settling the job it is running
     * (the queue hands the freed slot its next job from inside the job's complete()) and nothing waits in the
     * inbox: the thread is about to look for work anyway, and this spares the inbox round trip.
     */
    boolean handOff(ThreadWorker owner, JobStep step) {
      if (owner != ThreadWorker.this || next != null || retired || !(current instanceof JobStep)
          || !((JobStep) current).job.isDone() || !inbox.isEmpty()) {
        return false;
      }
      next = step;
      return true;
    }

    @Override
    public void run() {
      try {
        while (!retired) {
          Runnable step = next;
          if (step != null) {
            next = null;
          } else {
            try {
              step = nextStep();
            } catch (InterruptedException e) {
              continue;
            }
          }
          if (step == POISON) {
            return;
          }
          synchronized (this) {
            if (retired) {
              inbox.offerFirst(step);
              return;
            }
            current = step;
          }
          try {
            step.run();
          } catch (Throwable t) {
            // LocalJobs settles jobs itself; this is an iterator step or a bug: keep the thread alive
            LOG.error("uncaught in {}", thread.getName(), t);
          } finally {
            synchronized (this) {
              current = null;
              if (!retired) {
                Thread.interrupted();
              }
            }
          }
        }
      } finally {
        if (next != null) {
          inbox.offerFirst(next); // retired with a step handed to it: a replacement thread runs it
          next = null;
        }
        runners.remove(this);
        if (stopping) {
          maybeStopped();
        }
      }
    }

    private Runnable nextStep() throws InterruptedException {
      Runnable step = inbox.poll();
      if (step != null) {
        return step;
      }
      long deadline = System.nanoTime() + SPIN_NANOS;
      do {
        Thread.yield(); // lets a runnable thread (the caller's event loop, another worker) have this core
        step = inbox.poll();
        if (step != null) {
          return step;
        }
      } while (System.nanoTime() - deadline < 0 && !retired);
      return inbox.take();
    }

    /** Abandons this thread if it is running the job's step: interrupts it and lets it end after. */
    synchronized boolean abandonIfRunning(Job job) {
      if (current instanceof JobStep && ((JobStep) current).job == job) {
        retired = true;
        runners.remove(this);
        threadsToJoin.remove(thread);
        thread.interrupt();
        return true;
      }
      return false;
    }
  }

  @Override
  public String toString() {
    return "thread worker " + workerId + " of " + queueName;
  }
}
