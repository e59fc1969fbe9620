package io.asynqueue.process;

import io.asynqueue.stream.Deferator;
import io.asynqueue.TaskQueueOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of a {@link ProcessQueue} (how many children) and of each {@link ProcessWorker} (how a child is
 * started and driven). A {@code ProcessWorker} made from these options ignores {@link #getProcesses()}.
 *
 * <pre>{@code
 * new ProcessQueueOptions().setProcesses(4).setJvmArgs(List.of("-Xmx512m")).setCallStats(true)
 * }</pre>
 */
public class ProcessQueueOptions {

  /** The default number of children: one per processor. */
  public static final int DEFAULT_PROCESSES = Runtime.getRuntime().availableProcessors();
  /** By default a child runs one task at a time. */
  public static final int DEFAULT_CONCURRENCY = 1;
  /** The default number of calls in flight per child (sent, not yet answered): 64, enough to fill the pipe. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 64;
  /** The default prefetch window of an iterator held in a child, in elements. */
  public static final int DEFAULT_PREFETCH = Deferator.DEFAULT_WINDOW;
  /** The default byte budget of one batch of iterator elements: 1 MiB (a batch holds at least one element). */
  public static final int DEFAULT_PREFETCH_BYTES = 1024 * 1024;
  /** The default largest frame on the pipe: 256 MiB, so a result of tens of megabytes is fine. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;
  /** The default time a child may take to start and say hello: 60 seconds. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  /** The default longest wait before replacing a child that keeps dying: 5 seconds. */
  public static final Duration DEFAULT_MAX_RESTART_DELAY = Duration.ofSeconds(5);

  private int processes = DEFAULT_PROCESSES;
  private List<String> jvmArgs = List.of();
  private List<String> extraClasspath = List.of();
  private Map<String, String> environment = Map.of();
  private String workingDirectory;
  private String classDataArchive;
  private int concurrency = DEFAULT_CONCURRENCY;
  private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  private int prefetch = DEFAULT_PREFETCH;
  private int prefetchBytes = DEFAULT_PREFETCH_BYTES;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private boolean callStats;
  private ChildOutput output = ChildOutput.LOG;
  private Duration startTimeout = DEFAULT_START_TIMEOUT;
  private Duration maxRestartDelay = DEFAULT_MAX_RESTART_DELAY;
  private TaskQueueOptions queueOptions = new TaskQueueOptions();

  /** Options with every default. */
  public ProcessQueueOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public ProcessQueueOptions(ProcessQueueOptions other) {
    this.processes = other.processes;
    this.jvmArgs = other.jvmArgs;
    this.extraClasspath = other.extraClasspath;
    this.environment = other.environment;
    this.workingDirectory = other.workingDirectory;
    this.classDataArchive = other.classDataArchive;
    this.concurrency = other.concurrency;
    this.maxInFlight = other.maxInFlight;
    this.prefetch = other.prefetch;
    this.prefetchBytes = other.prefetchBytes;
    this.maxFrameBytes = other.maxFrameBytes;
    this.callStats = other.callStats;
    this.output = other.output;
    this.startTimeout = other.startTimeout;
    this.maxRestartDelay = other.maxRestartDelay;
    this.queueOptions = new TaskQueueOptions(other.queueOptions);
  }

  /**
   * Options read from JSON, in the form {@link #toJson()} writes; every field optional.
   *
   * @param json the JSON
   */
  public ProcessQueueOptions(JsonObject json) {
    setProcesses(json.getInteger("processes", DEFAULT_PROCESSES));
    setJvmArgs(strings(json.getJsonArray("jvmArgs")));
    setExtraClasspath(strings(json.getJsonArray("extraClasspath")));
    Map<String, String> env = new LinkedHashMap<>();
    json.getJsonObject("environment", new JsonObject()).forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    setEnvironment(env);
    setWorkingDirectory(json.getString("workingDirectory"));
    setConcurrency(json.getInteger("concurrency", DEFAULT_CONCURRENCY));
    setMaxInFlight(json.getInteger("maxInFlight", DEFAULT_MAX_IN_FLIGHT));
    setPrefetch(json.getInteger("prefetch", DEFAULT_PREFETCH));
    setPrefetchBytes(json.getInteger("prefetchBytes", DEFAULT_PREFETCH_BYTES));
    setMaxFrameBytes(json.getInteger("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES));
    setCallStats(json.getBoolean("callStats", false));
    setOutput(ChildOutput.valueOf(json.getString("output", ChildOutput.LOG.name())));
    setStartTimeout(Duration.ofMillis(json.getLong("startTimeoutMillis", DEFAULT_START_TIMEOUT.toMillis())));
    setMaxRestartDelay(Duration.ofMillis(json.getLong("maxRestartDelayMillis", DEFAULT_MAX_RESTART_DELAY.toMillis())));
    setQueueOptions(new TaskQueueOptions(json.getJsonObject("queue", new JsonObject())));
    setClassDataArchive(json.getString("classDataArchive"));
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }

  /** @return how many children (process workers) the queue starts */
  public int getProcesses() {
    return processes;
  }

  /**
   * Sets how many children the queue starts; one per processor by default.
   *
   * @param processes at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if less than 1
   */
  public ProcessQueueOptions setProcesses(int processes) {
    this.processes = atLeast(1, processes, "processes");
    return this;
  }

  /** @return the extra arguments of each child's {@code java} command */
  public List<String> getJvmArgs() {
    return jvmArgs;
  }

  /**
   * Sets extra arguments for each child's {@code java} command, such as {@code -Xmx512m}. Children also get
   * {@code -XX:+ExitOnOutOfMemoryError} (a child that runs out of memory dies and is replaced) unless these
   * arguments say otherwise about out-of-memory errors.
   *
   * @param jvmArgs the arguments
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setJvmArgs(List<String> jvmArgs) {
    this.jvmArgs = List.copyOf(jvmArgs);
    return this;
  }

  /** @return the children's class-data sharing archive, or null for none */
  public String getClassDataArchive() {
    return classDataArchive;
  }

  /**
   * Starts children from a class-data sharing archive (AppCDS) of their class path, which they then load and
   * link much faster than from the jars: a child is ready sooner, and its first calls run sooner. If the file
   * does not exist, the first child started writes it as it exits after a clean shutdown (into a file of its
   * own beside it, renamed into place once complete), and children started after that use it: later restarts
   * and later runs. Nothing else is written. Delete the file when the class path changes; until then the
   * children's JVM ignores an archive that does not match it. Null (the default) for none.
   *
   * @param classDataArchive the archive's path, such as {@code target/children.jsa} or a file under the
   *     user's cache directory; its directory must exist
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setClassDataArchive(String classDataArchive) {
    this.classDataArchive = classDataArchive;
    return this;
  }

  /** @return entries added to each child's class path, after this JVM's class path */
  public List<String> getExtraClasspath() {
    return extraClasspath;
  }

  /**
   * Adds entries (jars, directories) to each child's class path, after this JVM's own. Classes only the
   * children have can be used inside tasks, but not as arguments or results.
   *
   * @param extraClasspath the entries
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setExtraClasspath(List<String> extraClasspath) {
    this.extraClasspath = List.copyOf(extraClasspath);
    return this;
  }

  /** @return variables added to (or replacing in) each child's environment */
  public Map<String, String> getEnvironment() {
    return environment;
  }

  /**
   * Sets variables added to each child's environment, which otherwise is this JVM's.
   *
   * @param environment the variables
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setEnvironment(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    return this;
  }

  /** @return each child's working directory, {@code null} for this JVM's */
  public String getWorkingDirectory() {
    return workingDirectory;
  }

  /**
   * Sets each child's working directory.
   *
   * @param workingDirectory the directory, {@code null} for this JVM's
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setWorkingDirectory(String workingDirectory) {
    this.workingDirectory = workingDirectory;
    return this;
  }

  /** @return how many tasks a child runs at once */
  public int getConcurrency() {
    return concurrency;
  }

  /**
   * Sets how many tasks a child runs at once, on that many threads; 1 by default.
   *
   * @param concurrency at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if less than 1
   */
  public ProcessQueueOptions setConcurrency(int concurrency) {
    this.concurrency = atLeast(1, concurrency, "concurrency");
    return this;
  }

  /** @return how many calls may be in flight to one child */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  /**
   * Sets how many calls the queue may send to one child before it answers the first (the worker's
   * {@linkplain io.asynqueue.spi.Worker#capacity() capacity}). Several in flight keep the pipe busy; one makes
   * long tasks spread evenly across the children. Never less than the concurrency.
   *
   * @param maxInFlight at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if less than 1
   */
  public ProcessQueueOptions setMaxInFlight(int maxInFlight) {
    this.maxInFlight = atLeast(1, maxInFlight, "maxInFlight");
    return this;
  }

  /** @return the prefetch window of an iterator held in a child, in elements */
  public int getPrefetch() {
    return prefetch;
  }

  /**
   * Sets how many elements of an iterator held in a child are fetched ahead of the consumer at most.
   *
   * @param prefetch at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if less than 1
   */
  public ProcessQueueOptions setPrefetch(int prefetch) {
    this.prefetch = atLeast(1, prefetch, "prefetch");
    return this;
  }

  /** @return the byte budget of one batch of iterator elements */
  public int getPrefetchBytes() {
    return prefetchBytes;
  }

  /**
   * Sets about how many bytes one batch of iterator elements may hold (a batch ends after the element that
   * crosses it, so it always holds one).
   *
   * @param prefetchBytes at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if less than 1
   */
  public ProcessQueueOptions setPrefetchBytes(int prefetchBytes) {
    this.prefetchBytes = atLeast(1, prefetchBytes, "prefetchBytes");
    return this;
  }

  /** @return the largest frame (one call, result or batch, encoded) either end accepts */
  public int getMaxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Sets the largest frame either end accepts: a call, a result or a batch, encoded. A result larger than
   * this fails its call; the child carries on.
   *
   * @param maxFrameBytes at least 64 KiB
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if less than 64 KiB
   */
  public ProcessQueueOptions setMaxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = atLeast(64 * 1024, maxFrameBytes, "maxFrameBytes");
    return this;
  }

  /** @return whether each call's timing is kept for {@link ProcessWorker#stats()} */
  public boolean isCallStats() {
    return callStats;
  }

  /**
   * Keeps the timing of each call (round trip, time in the child), as the original's {@code callStats}; the
   * latest million calls per child at most.
   *
   * @param callStats whether to
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setCallStats(boolean callStats) {
    this.callStats = callStats;
    return this;
  }

  /** @return where the lines children print go */
  public ChildOutput getOutput() {
    return output;
  }

  /**
   * Sets where the lines that user code in a child prints go: the log (default), this JVM's standard error,
   * or nowhere. The JVM's own messages on the child's real standard error go the same way.
   *
   * @param output where
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setOutput(ChildOutput output) {
    this.output = Objects.requireNonNull(output, "output");
    return this;
  }

  /** @return how long a child may take to start */
  public Duration getStartTimeout() {
    return startTimeout;
  }

  /**
   * Sets how long a child may take from launch to ready before it is killed (and the start fails, or the
   * replacement is tried again).
   *
   * @param startTimeout a positive duration
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setStartTimeout(Duration startTimeout) {
    this.startTimeout = positive(startTimeout, "startTimeout");
    return this;
  }

  /** @return the longest wait before replacing a child that keeps dying */
  public Duration getMaxRestartDelay() {
    return maxRestartDelay;
  }

  /**
   * Sets the longest wait before a child that died is replaced. The first replacement starts at once; while
   * children keep dying without finishing a call, the wait doubles from 50 ms up to this.
   *
   * @param maxRestartDelay a positive duration
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setMaxRestartDelay(Duration maxRestartDelay) {
    this.maxRestartDelay = positive(maxRestartDelay, "maxRestartDelay");
    return this;
  }

  /** @return the options of the queue itself */
  public TaskQueueOptions getQueueOptions() {
    return queueOptions;
  }

  /**
   * Sets the options of the queue itself, such as its stop timeout.
   *
   * @param queueOptions the options
   * @return a reference to this, so the API can be used fluently
   */
  public ProcessQueueOptions setQueueOptions(TaskQueueOptions queueOptions) {
    this.queueOptions = Objects.requireNonNull(queueOptions, "queueOptions");
    return this;
  }

  /** @return these options as JSON, in the form the JSON constructor reads */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("processes", processes)
        .put("jvmArgs", new JsonArray(jvmArgs))
        .put("extraClasspath", new JsonArray(extraClasspath))
        .put("environment", new JsonObject(new LinkedHashMap<>(environment)))
        .put("concurrency", concurrency)
        .put("maxInFlight", maxInFlight)
        .put("prefetch", prefetch)
        .put("prefetchBytes", prefetchBytes)
        .put("maxFrameBytes", maxFrameBytes)
        .put("callStats", callStats)
        .put("output", output.name())
        .put("startTimeoutMillis", startTimeout.toMillis())
        .put("maxRestartDelayMillis", maxRestartDelay.toMillis())
        .put("queue", queueOptions.toJson());
    if (workingDirectory != null) {
      json.put("workingDirectory", workingDirectory);
    }
    if (classDataArchive != null) {
      json.put("classDataArchive", classDataArchive);
    }
    return json;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }

  private static int atLeast(int min, int value, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
    }
    return value;
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
    return d;
  }
}
