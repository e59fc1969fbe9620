package io.asynqueue;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

/**
 * A Vert.x instance for tests that must control every thread that runs the code under test (the model-checking
 * tests). A context created on a test thread that has called {@link #bind()} is an external one (Vert.x 5's
 * {@code EventExecutorProvider}): its tasks (promise callbacks, {@code runOnContext}) wait in that thread's
 * {@link Tasks} until the thread runs them with {@link Tasks#runUntil}. So no Vert.x event-loop thread takes
 * part, and a model checker schedules every step. A thread that is not bound gets the usual event-loop context.
 */
public final class DrivenVertx {

  private static final ThreadLocal<Tasks> BOUND = new ThreadLocal<>();

  private DrivenVertx() {
  }

  /**
   * The model-checking options of this project's Lincheck tests: Vert.x and Netty calls are single steps. The
   * budget can be raised with {@code -Dasynqueue.lincheck.iterations} and {@code -Dasynqueue.lincheck.invocations}.
   *
   * @param iterations scenarios, by default
   * @param invocations interleavings per scenario, by default
   * @return the options
   */
  public static ModelCheckingOptions lincheck(int iterations, int invocations) {
    return new ModelCheckingOptions()
        .iterations(Integer.getInteger("asynqueue.lincheck.iterations", iterations))
        .invocationsPerIteration(Integer.getInteger("asynqueue.lincheck.invocations", invocations))
        .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(
                name -> name.startsWith("io.vertx.") || name.startsWith("io.netty."))
            .allMethods().treatAsAtomic());
  }

  /** @return a Vert.x whose contexts on bound threads are driven by those threads */
  public static Vertx create() {
    return VertxBootstrap.create().eventExecutorProvider(thread -> BOUND.get()).init().vertx();
  }

  /** Binds the current thread to a new, empty task list: contexts created on it from now on queue there. */
  public static Tasks bind() {
    Tasks tasks = new Tasks();
    BOUND.set(tasks);
    return tasks;
  }

  /** The tasks of the contexts created on one thread, run by that thread when it chooses. */
  public static final class Tasks implements Executor {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      queue.add(task);
    }

    private synchronized Runnable poll() {
      return queue.poll();
    }

    /** Runs the queued tasks, waiting for more (spinning) until {@code done} holds. */
    public void runUntil(BooleanSupplier done) {
      while (!done.getAsBoolean()) {
        Runnable task = poll();
        if (task != null) {
          task.run();
        } else {
          Thread.yield();
        }
      }
    }

    /** Runs the tasks queued until none is left, without waiting for more. */
    void runPending() {
      for (Runnable task; (task = poll()) != null; ) {
        task.run();
      }
    }
  }
}
