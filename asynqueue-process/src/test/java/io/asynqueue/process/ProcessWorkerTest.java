package io.asynqueue.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynqueue.CodecException;
import io.asynqueue.Task1;
import io.asynqueue.Task2;
import io.asynqueue.TaskException;
import io.asynqueue.TaskQueue;
import io.asynqueue.WorkerLostException;
import io.asynqueue.contract.TestJob;
import io.asynqueue.contract.TestSupervisor;
import io.asynqueue.spi.Job;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A ProcessWorker driven directly through the Worker SPI, with real child JVMs. */
@Timeout(120)
@SuppressWarnings({"unchecked", "cast"}) // results come back as Object; the casts pick assertThat overloads
class ProcessWorkerTest {

  static Vertx vertx;
  static Context context;
  static ProcessWorker worker;
  static final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void startWorker() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    worker = new ProcessWorker(new ProcessQueueOptions().setCallStats(true).setOutput(ChildOutput.DISCARD));
    worker.lineListener((label, line) -> lines.add(label + ": " + line));
    await(worker.start(new TestSupervisor(vertx, 1)));
  }

  @AfterAll
  static void stopWorker() throws Exception {
    await(worker.stop());
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  static <T> Future<T> call(ProcessWorker w, io.asynqueue.Task<?> task, Object... args) {
    TestJob job = TestJob.call(context, task, args);
    w.run(job);
    return job.future();
  }

  @Test
  void runsMethodReferencesLambdasAndTaskObjects_inTheChild() throws Exception {
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat((Integer) await(call(worker, twice, 21))).isEqualTo(42);
    Task2<String, String, String> concat = Tasks::concat;
    assertThat((String) await(call(worker, concat, "a", "b"))).isEqualTo("ab");
    int captured = 5;
    Task1<Integer, Integer> plus = x -> x + captured;
    assertThat((Integer) await(call(worker, plus, 1))).isEqualTo(6);
    assertThat((Long) await(call(worker, (io.asynqueue.Task0<Long>) Tasks::pid))).isEqualTo(worker.pid())
        .isNotEqualTo(ProcessHandle.current().pid());
    assertThat((Object) await(call(worker, new AddTask(10), 5))).isEqualTo(15);
    assertThat((List<Object>) await(call(worker, (Task1<List<Integer>, List<Integer>>) l -> l.subList(1, 3),
        List.of(1, 2, 3, 4)))).containsExactly(2, 3);
    assertThat((Map<Object, Object>) await(call(worker, (Task1<Map<String, Integer>, Map<String, Integer>>) m -> m,
        Map.of("a", 1)))).containsEntry("a", 1);
    assertThat((Object) await(call(worker, (Task1<Point, Point>) p -> new Point(p.x + 1, p.y), new Point(1, 2))))
        .isEqualTo(new Point(2, 2));
  }

  record Point(int x, int y) {
  }

  static final class AddTask implements Task1<Integer, Integer> {
    private final int base;

    AddTask(int base) {
      this.base = base;
    }

    @Override
    public Integer apply(Integer a) {
      return base + a;
    }
  }

  @Test
  void anUnserializableArgumentOrResult_failsOnlyItsCall() throws Exception {
    Task1<Object, String> toString = String::valueOf;
    long pid = worker.pid();
    Future<Object> f = call(worker, toString, new Thread(() -> { }));
    assertThat(f.isComplete()).as("failed at once, in the caller").isTrue();
    assertThatThrownBy(() -> await(f)).isInstanceOf(CodecException.class)
        .hasMessageContaining("argument 1 of class java.lang.Thread cannot be serialized");
    Object lock = new Object();
    Task1<Integer, Integer> capturesThread = x -> x + lock.hashCode() + Thread.currentThread().hashCode();
    Thread t = new Thread(() -> { });
    Task1<Integer, Integer> capturing = x -> x + t.hashCode();
    assertThatThrownBy(() -> await(call(worker, capturing, 1))).isInstanceOf(CodecException.class)
        .hasMessageContaining("task of class lambda in " + ProcessWorkerTest.class.getName())
        .hasMessageContaining("java.lang.Thread");
    assertThat(capturesThread).isNotNull();
    assertThatThrownBy(() -> await(call(worker, (io.asynqueue.Task0<Thread>) Tasks::unserializableResult)))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.getMessage())
            .contains("the result of class java.lang.Thread cannot be serialized"));
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat((Integer) await(call(worker, twice, 3))).isEqualTo(6);
    assertThat(worker.pid()).isEqualTo(pid);
  }

  @Test
  void printingUserCode_doesNotCorruptTheChannel() throws Exception {
    Task1<Integer, Integer> chatty = Tasks::chatty;
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(call(worker, chatty, 50));
    }
    for (Future<Object> f : calls) {
      assertThat((Object) await(f)).isEqualTo(50);
    }
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat((Integer) await(call(worker, twice, 4))).isEqualTo(8);
    // LOG frames are written before the reply of the call that printed them
    assertThat(lines)
        .anyMatch(l -> l.matches("process worker 1 of \\S+, child \\d+ \\(pid \\d+\\) stdout: out line 49"));
    assertThat(lines).anyMatch(l -> l.endsWith("stderr: err line 0"));
    assertThat(lines).anyMatch(l -> l.endsWith("stdout: no newline, flushed"));
  }

  @Test
  void a50MbResult_arrivesWhole() throws Exception {
    Task1<Integer, byte[]> big = Tasks::big;
    int size = 50 * 1024 * 1024;
    byte[] b = await(call(worker, big, size));
    assertThat(b).hasSize(size);
    assertThat(b[4096 * 3]).isEqualTo((byte) 3);
    assertThat(b[size - 1]).isEqualTo((byte) 42);
    byte[] arg = new byte[20 * 1024 * 1024];
    arg[arg.length - 1] = 7;
    Task1<byte[], Integer> last = a -> a.length + a[a.length - 1];
    assertThat((Integer) await(call(worker, last, arg))).isEqualTo(arg.length + 7);
  }

  @Test
  void pipelinedCalls_allComplete_inOrderOfTheirResults() throws Exception {
    Task1<Integer, Integer> twice = Tasks::twice;
    List<Future<Object>> calls = new ArrayList<>();
    // more than capacity is fine here: the worker queues what it cannot send yet
    for (int i = 0; i < 2000; i++) {
      calls.add(call(worker, twice, i));
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat((Object) await(calls.get(i))).isEqualTo(2 * i);
    }
  }

  @Test
  void replies_comeOnAReplySocket_whoseFileIsGoneOnceTheChildIsConnected() throws Exception {
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat((Integer) await(call(worker, twice, 4))).isEqualTo(8);
    List<String> args = List.of(ProcessHandle.of(worker.pid()).orElseThrow().info().arguments().orElseThrow());
    Path socket = Path.of(args.get(args.size() - 1));
    assertThat(args.get(args.size() - 4)).isEqualTo(io.asynqueue.process.internal.ChildMain.class.getName());
    assertThat(socket.getParent().getFileName().toString()).startsWith("asynqueue-");
    assertThat(socket.getParent()).doesNotExist(); // deleted with the socket's file: nothing left behind
  }

  @Test
  void replies_comeOnStandardOutput_withTheReplySocketTurnedOff() throws Exception {
    System.setProperty(ChildTransport.REPLY_SOCKET, "false");
    ProcessWorker plain;
    try {
      plain = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD));
      await(plain.start(new TestSupervisor(vertx, 8)));
    } finally {
      System.clearProperty(ChildTransport.REPLY_SOCKET);
    }
    try {
      Task1<Integer, Integer> twice = Tasks::twice;
      List<Future<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        calls.add(call(plain, twice, i));
      }
      for (int i = 0; i < calls.size(); i++) {
        assertThat((Object) await(calls.get(i))).isEqualTo(2 * i);
      }
      List<String> args = List.of(ProcessHandle.of(plain.pid()).orElseThrow().info().arguments().orElseThrow());
      assertThat(args.get(args.size() - 3)).isEqualTo(io.asynqueue.process.internal.ChildMain.class.getName());
    } finally {
      await(plain.stop());
    }
  }

  @Test
  void theFirstChild_writesTheClassDataArchiveAsItExits_andLaterChildrenStartFromIt(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path archive = dir.resolve("children.jsa");
    ProcessQueueOptions options = new ProcessQueueOptions().setClassDataArchive(archive.toString())
        .setOutput(ChildOutput.DISCARD);
    // The JDK archives only a class path of jars; under Maven it has directories, and the option must then do
    // nothing at all: no JVM argument, no file.
    boolean jars = ChildTransport.jarsOnly(System.getProperty("java.class.path"));
    Task1<Integer, Integer> twice = Tasks::twice;
    ProcessWorker first = new ProcessWorker(options);
    await(first.start(new TestSupervisor(vertx, 6)));
    assertThat((Object) await(call(first, twice, 2))).isEqualTo(4);
    assertThat(String.join(" ", ProcessHandle.of(first.pid()).orElseThrow().info().arguments().orElseThrow())
        .contains("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath() + ".")).isEqualTo(jars);
    await(first.stop());
    try (var files = java.nio.file.Files.list(dir)) {
      assertThat(files.toList()).isEqualTo(jars ? List.of(archive) : List.of()); // nothing else left behind
    }
    ProcessWorker next = new ProcessWorker(options);
    await(next.start(new TestSupervisor(vertx, 7)));
    try {
      assertThat((Object) await(call(next, twice, 3))).isEqualTo(6);
      assertThat(List.of(ProcessHandle.of(next.pid()).orElseThrow().info().arguments().orElseThrow())
          .contains("-XX:SharedArchiveFile=" + archive.toAbsolutePath())).isEqualTo(jars);
    } finally {
      await(next.stop());
    }
  }

  @Test
  void onlyAClassPathOfJars_canBeArchived(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path jar = java.nio.file.Files.createFile(dir.resolve("a.jar"));
    Path classes = java.nio.file.Files.createDirectory(dir.resolve("classes"));
    String sep = java.io.File.pathSeparator;
    assertThat(ChildTransport.jarsOnly(jar + sep + jar)).isTrue();
    assertThat(ChildTransport.jarsOnly(jar + sep + classes)).isFalse();
    assertThat(ChildTransport.jarsOnly(jar + sep + dir.resolve("missing.jar"))).isFalse();
  }

  @Test
  void infoAndStats_describeTheChildAndItsCalls() throws Exception {
    Task1<Integer, Integer> twice = Tasks::twice;
    await(call(worker, twice, 1));
    ChildInfo info = await(worker.info());
    assertThat(info.pid()).isEqualTo(worker.pid());
    assertThat(info.cpus()).isPositive().isEqualTo(worker.cores());
    assertThat(info.heapUsedBytes()).isPositive();
    assertThat(info.heapMaxBytes()).isGreaterThanOrEqualTo(info.heapUsedBytes());
    assertThat(info.residentBytes()).isPositive();
    assertThat(info.callsDone()).isPositive();
    List<CallStat> stats = worker.stats();
    assertThat(stats).isNotEmpty().allSatisfy(s -> assertThat(s.roundTripNanos()).isGreaterThanOrEqualTo(s.childNanos()));
  }

  @Test
  void aChildThatFailsToStart_failsStart_withItsOutput() {
    ProcessWorker bad = new ProcessWorker(new ProcessQueueOptions().setJvmArgs(List.of("-Xbogus-option"))
        .setOutput(ChildOutput.DISCARD));
    assertThatThrownBy(() -> await(bad.start(new TestSupervisor(vertx, 9))))
        .isInstanceOf(WorkerLostException.class)
        .hasMessageContaining("could not start")
        .hasMessageContaining("-Xbogus-option");
  }

  @Test
  void kill9_failsExactlyTheHeldCalls_andAReplacementTakesOver() throws Exception {
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD));
    await(w.start(new TestSupervisor(vertx, 2)));
    long pid = w.pid();
    Task1<Integer, Integer> sleep = Tasks::sleepMillis;
    Future<Object> busy = call(w, sleep, 60_000);
    List<Future<Object>> queued = new ArrayList<>();
    Task1<Integer, Integer> twice = Tasks::twice;
    for (int i = 0; i < 50; i++) {
      queued.add(call(w, twice, i));
    }
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    assertThatThrownBy(() -> await(busy)).isInstanceOf(WorkerLostException.class)
        .hasMessageContaining("pid " + pid).hasMessageContaining("SIGKILL");
    for (Future<Object> f : queued) {
      assertThatThrownBy(() -> await(f)).isInstanceOf(WorkerLostException.class);
    }
    Task1<Integer, Integer> twice0 = Tasks::twice;
    assertThat((Object) await(call(w, twice0, 21))).isEqualTo(42);
    assertThat(w.pid()).isNotEqualTo(pid).isPositive();
    assertThat(w.restarts()).isEqualTo(1);

    // a task that exits the child: its call fails, the next child takes over
    Task1<Integer, Integer> exit = Tasks::exit;
    assertThatThrownBy(() -> await(call(w, exit, 3))).isInstanceOf(WorkerLostException.class)
        .hasMessageContaining("exited with code 3");
    assertThat((Object) await(call(w, twice, 7))).isEqualTo(14);

    // a timeout: the queue settles the job and cancels it; the child is killed, the others it held are lost
    Future<Object> other = call(w, sleep, 60_000);
    TestJob hung = TestJob.call(context, (io.asynqueue.Task0<Integer>) Tasks::hang);
    long before = w.pid();
    w.run(hung);
    hung.fail(new io.asynqueue.TaskTimeoutException(hung.describe(), Duration.ofMillis(1), 1));
    w.cancel(hung);
    assertThatThrownBy(() -> await(other)).isInstanceOf(WorkerLostException.class)
        .hasMessageContaining("timed out");
    assertThat((Object) await(call(w, twice, 8))).isEqualTo(16);
    assertThat(w.pid()).isNotEqualTo(before);
    await(w.stop());
  }

  @Test
  void stop_finishesTheHeldCalls_thenTheChildExits() throws Exception {
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD));
    await(w.start(new TestSupervisor(vertx, 3)));
    long pid = w.pid();
    Task1<Integer, Integer> sleep = Tasks::sleepMillis;
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(call(w, sleep, 10));
    }
    Future<Void> stopped = w.stop();
    for (Future<Object> f : calls) {
      assertThat((Object) await(f)).isEqualTo(10);
    }
    await(stopped);
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThatThrownBy(() -> await(call(w, twice, 1))).isInstanceOf(WorkerLostException.class);
  }

  @Test
  void crash_returnsTheHeldJobsUnsettled_andKillsTheChild() throws Exception {
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD));
    await(w.start(new TestSupervisor(vertx, 4)));
    long pid = w.pid();
    Task1<Integer, Integer> sleep = Tasks::sleepMillis;
    List<TestJob> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      TestJob j = TestJob.call(context, sleep, 60_000);
      jobs.add(j);
      w.run(j);
    }
    List<Job> held = w.crash();
    assertThat(held).containsExactlyInAnyOrderElementsOf(jobs);
    assertThat(jobs).noneMatch(TestJob::isDone);
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
  }

  @Test
  void options_reachTheChild_andRunningOutOfMemoryReplacesIt(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD)
        .setJvmArgs(List.of("-Xmx48m", "-Dasynqueue.test=yes")).setEnvironment(Map.of("ASYNQUEUE_TEST", "env"))
        .setWorkingDirectory(dir.toString()).setConcurrency(2));
    await(w.start(new TestSupervisor(vertx, 5)));
    Task1<String, String> env = Tasks::env;
    assertThat((String) await(call(w, env, "ASYNQUEUE_TEST"))).isEqualTo("env|" + dir + "|yes");
    // concurrency 2: two calls meet inside the child (with one at a time, the first would wait in vain)
    Task1<Integer, Boolean> meet = Tasks::meet;
    Future<Object> a = call(w, meet, 1);
    Future<Object> b = call(w, meet, 2);
    assertThat((Boolean) await(a)).isTrue();
    assertThat((Boolean) await(b)).isTrue();
    long pid = w.pid();
    Task1<Integer, Integer> hog = Tasks::exhaustMemory;
    assertThatThrownBy(() -> await(call(w, hog, 0))).isInstanceOf(WorkerLostException.class)
        .hasMessageContaining("pid " + pid);
    Task1<Integer, Integer> twice = Tasks::twice;
    assertThat((Object) await(call(w, twice, 2))).isEqualTo(4);
    assertThat(w.pid()).isNotEqualTo(pid);
    await(w.stop());
  }

  @Test
  void aWorkerWhoseChildrenKeepDying_backsOff_thenResigns() throws Exception {
    ProcessWorker w = new ProcessWorker(new ProcessQueueOptions().setOutput(ChildOutput.DISCARD)
        .setMaxRestartDelay(Duration.ofMillis(100)));
    TaskQueue q = TaskQueue.create(vertx);
    await(q.attachWorker(w));
    io.vertx.core.Promise<Void> resigned = io.vertx.core.Promise.promise();
    q.loadHandler(load -> {
      if (load.workers().isEmpty()) {
        resigned.tryComplete();
      }
    });
    Task1<Integer, Integer> exit = Tasks::exit;
    // a poison update: the queue replays it on every new child, which dies of it before finishing a call
    assertThatThrownBy(() -> await(q.update(exit, 7))).isInstanceOf(WorkerLostException.class)
        .hasMessageContaining("exited with code 7");
    await(resigned.future());
    assertThat(w.restarts()).isEqualTo(5);
    await(q.shutdown());
  }

  @Test
  void aChild_exitsByItself_whenItsInputCloses() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        io.asynqueue.process.internal.ChildMain.class.getName(), "1", "1000000").start();
    assertThat(child.getInputStream().readNBytes(4)).hasSize(4); // the HELLO frame's length
    child.getOutputStream().close();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
  }
}
