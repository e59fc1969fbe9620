package io.asynqueue.contract;

import io.asynqueue.Task0;
import io.asynqueue.Task1;
import io.asynqueue.Task2;
import io.asynqueue.Task3;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The tasks of the worker contract suite. They run on every worker kind: in this JVM, in a child JVM and on
 * a remote server (which allows this class: its lambdas are the {@code Task} constants below, written here).
 * So their arguments and results are built-in types, and they report what happened through files in a
 * directory the test gives them, which every kind shares on this machine.
 *
 * <p>A task that waits does so in the way its worker allows: on a thread it blocks (and an interrupt stops
 * it), on an event loop it returns a Future instead, which every kind reads the same way.
 */
public final class ContractTasks {

  private ContractTasks() {
  }

  /** {@code x * 2}. */
  public static final Task1<Integer, Integer> TWICE = x -> x * 2;

  /** Throws {@code IllegalStateException(message)} from {@link #boom(String)}. */
  public static final Task1<String, String> BOOM = ContractTasks::boom;

  /** Appends {@code line} to {@code file}, then returns it. */
  public static final Task2<String, String, String> RECORD = ContractTasks::record;

  /**
   * Records {@code name} in {@code dir/order}, counts the attempt in {@code dir/<name>.attempts}; the first
   * {@code hang} attempts then wait for {@code dir/<name>.gate}. Returns the attempt's number.
   */
  public static final Task3<String, String, Integer, Object> ATTEMPT = ContractTasks::attempt;

  /** Writes {@code <gate>.started}, waits until {@code gate} exists (stopped by an interrupt). */
  public static final Task1<String, Object> AWAIT = ContractTasks::await;

  /** Writes {@code <gate>.started}, then spins until {@code gate} exists, ignoring interrupts. */
  public static final Task1<String, Object> SPIN = ContractTasks::spin;

  /** Sleeps (or, on an event loop, completes a Future after) {@code millis}. */
  public static final Task1<Long, Object> SLEEP = ContractTasks::sleep;

  /** The process ID of the JVM it runs in. */
  public static final Task0<Long> PID = () -> ProcessHandle.current().pid();

  /**
   * A Vert.x Future of {@code x}. Typed {@code Object}: the call completes with the Future's outcome, not
   * the Future (the typed way to say so is {@code callAsync}).
   */
  public static final Task1<Integer, Object> FUTURE = Future::succeededFuture;

  /** A Vert.x Future of {@code x}, as a no-argument task for {@code callAsync}. */
  public static final Task0<Future<Integer>> FUTURE_OF_FIVE = () -> Future.succeededFuture(5);

  /** A Vert.x Future failed with {@code IllegalStateException(message)}. */
  public static final Task1<String, Object> FAILED_FUTURE =
      message -> Future.failedFuture(new IllegalStateException(message));

  /** A CompletionStage of {@code x}. */
  public static final Task1<Integer, Object> STAGE = CompletableFuture::completedFuture;

  /**
   * A CompletionStage completed with {@code "released"} once {@code gate} exists (after writing
   * {@code <gate>.started}), on a thread of its own.
   */
  public static final Task1<String, Object> STAGE_AFTER =
      gate -> CompletableFuture.supplyAsync(() -> await(gate), runnable -> new Thread(runnable).start());

  /** An iterator over 0 .. n-1 that throws {@code IllegalStateException("after <n>")} instead of ending. */
  public static final Task1<Integer, Iterator<Integer>> FAILING_ITERATOR = n -> new Iterator<>() {
    private int next;

    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public Integer next() {
      if (next == n) {
        throw new IllegalStateException("after " + n);
      }
      return next++;
    }
  };

  /** A list 0 .. n-1 (an Iterable, and a value). */
  public static final Task1<Integer, List<Integer>> LIST = ContractTasks::list;

  /** An iterator over 0 .. n-1. */
  public static final Task1<Integer, Iterator<Integer>> ITERATOR = n -> list(n).iterator();

  /** A stream of 0 .. n-1 that writes {@code closedFile} when closed. */
  public static final Task2<Integer, String, Stream<Integer>> STREAM =
      (n, closedFile) -> IntStream.range(0, n).boxed().onClose(() -> record(closedFile, "closed"));

  /**
   * An {@link AutoCloseable} iterator over 0 .. n-1 that records how far it got in {@code dir/produced} (a
   * line per element) and each close in {@code dir/closed}.
   */
  public static final Task2<String, Integer, Iterator<Integer>> PRODUCE = Produced::new;

  /**
   * An iterator over {@code n} strings of {@code size} characters each, which records each element it
   * produces in {@code dir/produced}.
   */
  public static final Task3<String, Integer, Integer, Iterator<String>> PRODUCE_LARGE = ContractTasks::large;

  // ---------------------------------------------------------------- bodies

  static Iterator<String> large(String dir, int n, int size) {
    String element = "x".repeat(size);
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public String next() {
        record(dir + "/produced", String.valueOf(next++));
        return element;
      }
    };
  }

  static String boom(String message) {
    throw new IllegalStateException(message);
  }

  static String record(String file, String line) {
    try {
      Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return line;
  }

  static Object attempt(String dir, String name, int hang) {
    record(dir + "/order", name);
    int attempt = lines(Path.of(dir, name + ".attempts")) + 1;
    record(dir + "/" + name + ".attempts", "attempt " + attempt);
    if (attempt > hang) {
      return attempt;
    }
    Path gate = Path.of(dir, name + ".gate");
    return waitFor(gate, false, attempt);
  }

  static Object await(String gate) {
    record(gate + ".started", String.valueOf(ProcessHandle.current().pid()));
    return waitFor(Path.of(gate), false, "released");
  }

  static Object spin(String gate) {
    record(gate + ".started", String.valueOf(ProcessHandle.current().pid()));
    return waitFor(Path.of(gate), true, "released");
  }

  static Object sleep(long millis) {
    if (Context.isOnEventLoopThread()) {
      Promise<Long> done = Promise.promise();
      Vertx.currentContext().owner().setTimer(Math.max(1, millis), t -> done.complete(millis));
      return done.future();
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return millis;
  }

  static List<Integer> list(int n) {
    List<Integer> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
    return list;
  }

  /**
   * Waits until the file exists (or its directory is gone: the test is over), then returns {@code result}.
   * On an event loop it returns a Future completed then instead. On a thread, an interrupt stops it (writing {@code <gate>.interrupted}) unless it ignores
   * interrupts.
   */
  private static Object waitFor(Path gate, boolean ignoreInterrupts, Object result) {
    if (Context.isOnEventLoopThread()) {
      Promise<Object> done = Promise.promise();
      Vertx vertx = Vertx.currentContext().owner();
      vertx.setPeriodic(2, id -> {
        if (Files.exists(gate) || !Files.isDirectory(gate.getParent())) {
          vertx.cancelTimer(id);
          done.complete(result);
        }
      });
      return done.future();
    }
    while (!Files.exists(gate) && Files.isDirectory(gate.getParent())) { // a test's directory gone: let go
      if (ignoreInterrupts) {
        Thread.interrupted();
        Thread.onSpinWait();
        continue;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        record(gate + ".interrupted", "interrupted");
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + gate, e);
      }
    }
    return result;
  }

  static int lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The iterator of {@link #PRODUCE}. */
  static final class Produced implements Iterator<Integer>, AutoCloseable {
    private final String dir;
    private final int n;
    private int next;

    Produced(String dir, int n) {
      this.dir = dir;
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return next < n;
    }

    @Override
    public Integer next() {
      if (next >= n) {
        throw new NoSuchElementException();
      }
      record(dir + "/produced", String.valueOf(next));
      return next++;
    }

    @Override
    public void close() {
      record(dir + "/closed", "closed at " + next);
    }
  }
}
