package io.asynqueue.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * What a closed queue, worker or server may not leave behind: threads (found by name, and joined, never waited
 * for with a sleep) and child processes of this JVM (found among its descendants, and awaited).
 */
public final class Leftovers {

  /** How long a thread or a child may take to end: generous, for a loaded machine. */
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private Leftovers() {
  }

  /**
   * @param prefix how their names start, such as {@code asynqueue-q7-}
   * @return the live threads of this JVM whose names start so
   */
  public static List<Thread> threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
  }

  /**
   * Joins the threads whose names start so, each for at most {@link #PATIENCE}, and asserts that none is left.
   *
   * @param prefix how their names start
   * @throws InterruptedException if interrupted
   */
  public static void assertThreadsEnd(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    for (Thread t : threads(prefix)) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    assertThat(threads(prefix)).as("threads named %s* still alive", prefix).isEmpty();
  }

  /** @return the process IDs of this JVM's descendants now */
  public static Set<Long> children() {
    return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  /**
   * Waits, for at most {@link #PATIENCE}, for the descendants of this JVM started since {@code before} to exit, and
   * asserts that none is left.
   *
   * @param before {@link #children()} before they were started
   * @throws Exception if interrupted
   */
  public static void assertChildrenExit(Set<Long> before) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    for (ProcessHandle p : ProcessHandle.current().descendants().filter(p -> !before.contains(p.pid())).toList()) {
      try {
        p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        break; // reported below
      }
    }
    assertThat(ProcessHandle.current().descendants().filter(p -> !before.contains(p.pid())).map(ProcessHandle::info)
        .toList()).as("child processes still alive").isEmpty();
  }
}
