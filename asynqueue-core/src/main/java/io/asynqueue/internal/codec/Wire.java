package io.asynqueue.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.TaskException;
import io.asynqueue.internal.NamedTask;

/**
 * The task protocol between a caller (a process or remote worker) and a runner (a child JVM, a worker server):
 * one opcode table and one grammar for both. Each message is one frame (see {@link FrameWriter}): a 4-byte
 * big-endian length, then the body, whose first byte is its type. Numbers are Kryo varints; objects are
 * written with their class by {@link KryoCodec#writeObject}.
 *
 * <pre>
 * caller to runner
 *   CALL     id flags [credit credit-bytes, if ITERATOR] target nargs arg...
 *   CREDIT   iterator-id elements bytes     (the caller may take this many more elements, or bytes)
 *   CLOSE    iterator-id                    (drop the iterator)
 *   CANCEL   id                             (the call timed out: drop it, or interrupt it)
 *   PING                                    (answered by PONG: the connection is alive)
 *   DEFINE   ref task                       (a stateless task, sent once; CALLs then name it by ref)
 *   STATS    request-id                     (memory and load figures)
 *   BYE                                     (finish the calls held, then end)
 * runner to caller
 *   HELLO    pid cpus concurrency max-in-flight max-frame-bytes nclasses class-name...
 *                                           (the first frame: what the runner offers; the classes it
 *                                            registers on the wire in ID order, none for a trusted channel)
 *   VALUE    id run-nanos value
 *   ERROR    id kind run-nanos failure      (kind THREW: the task's failure; REFUSED: the runner would not run it)
 *   ITER     id run-nanos                   (the call returned an iterator; ELEMENTS follow as credit allows)
 *   ELEMENTS iterator-id (1 element)* 0 last
 *   FRAGMENT id last bytes                  (a piece of a reply too large for one frame; the pieces of one id
 *                                            joined are that reply's frame body)
 *   PONG
 *   LOG      stream line                    (a line the runner's user code printed: 0 stdout, 1 stderr)
 *   STATS_REPLY request-id heap-used heap-max cpus calls-done
 * target:  NAMED name | TASK task | REF ref
 * failure: class message frames (declaring-class method file line)*
 * </pre>
 *
 * <p>An iterator's ID is the ID of the call that made it. Iteration is pushed under credit: a CALL with the
 * ITERATOR flag carries the first credit, and the caller grants more as its consumer takes elements, so the
 * runner never runs more than the caller's window ahead. A failure of the iterator comes as an ERROR with the
 * iterator's ID, after the elements it gave.
 */
public final class Wire {

  /** Run a call. */
  public static final byte CALL = 1;
  /** Grant an iterator more elements. */
  public static final byte CREDIT = 2;
  /** Drop an iterator. */
  public static final byte CLOSE = 3;
  /** Drop or interrupt a call. */
  public static final byte CANCEL = 4;
  /** Are you there. */
  public static final byte PING = 5;
  /** Define a task once, for later calls to name by number. */
  public static final byte DEFINE = 6;
  /** Ask for memory and load figures. */
  public static final byte STATS = 7;
  /** Finish and end. */
  public static final byte BYE = 8;

  /** The runner is ready, and what it offers. */
  public static final byte HELLO = 16;
  /** A call's result. */
  public static final byte VALUE = 17;
  /** A call's, or an iterator's, failure. */
  public static final byte ERROR = 18;
  /** A call returned an iterator, held by the runner. */
  public static final byte ITER = 19;
  /** Elements of an iterator. */
  public static final byte ELEMENTS = 20;
  /** A piece of a large reply. */
  public static final byte FRAGMENT = 21;
  /** Here I am. */
  public static final byte PONG = 22;
  /** A line the runner's user code printed. */
  public static final byte LOG = 23;
  /** The answer to {@link #STATS}. */
  public static final byte STATS_REPLY = 24;

  /** CALL flag: the caller wants an iterator, which stays with the runner. */
  public static final int FLAG_ITERATOR = 1;
  /** CALL flag: run before the other calls waiting. */
  public static final int FLAG_URGENT = 2;
  /** CALL flag: an update (run on every worker). */
  public static final int FLAG_UPDATE = 4;

  /** CALL target: a method of the runner's service, by name. */
  public static final int NAMED = 0;
  /** CALL target: a task object. */
  public static final int TASK = 1;
  /** CALL target: a task sent before in a DEFINE. */
  public static final int REF = 2;

  /** ERROR kind: the task threw (or its result broke the rule). */
  public static final int THREW = 0;
  /** ERROR kind: the runner refused to run the call. */
  public static final int REFUSED = 1;

  /** Replies larger than this go as FRAGMENT frames of at most this many bytes (plus a small header). */
  public static final int FRAGMENT_BYTES = 256 * 1024;
  /** Elements of an iterator go in batches of about this many bytes. */
  public static final int BATCH_BYTES = 64 * 1024;

  private Wire() {
  }

  /**
   * Writes a CALL's target: a named task by its name, a task defined before by its ref, or the task itself.
   *
   * @param kryo a Kryo of the codec
   * @param out where to
   * @param task the task
   * @param ref the number of a task sent before in a DEFINE, or 0
   * @throws CodecException naming the class that cannot be written
   */
  public static void writeTarget(Kryo kryo, Output out, Task<?> task, int ref) {
    if (task instanceof NamedTask named) {
      out.writeByte(NAMED);
      out.writeString(named.taskName());
    } else if (ref != 0) {
      out.writeByte(REF);
      out.writeVarInt(ref, true);
    } else {
      out.writeByte(TASK);
      KryoCodec.writeObject(kryo, out, "task", task);
    }
  }

  /**
   * Writes arguments, naming what fails: {@code "argument 2"}.
   *
   * @param kryo a Kryo of the codec
   * @param out where to
   * @param args the arguments
   * @throws CodecException naming the class that cannot be written
   */
  public static void writeArgs(Kryo kryo, Output out, Object[] args) {
    out.writeVarInt(args.length, true);
    for (int i = 0; i < args.length; i++) {
      KryoCodec.writeObject(kryo, out, "argument " + (i + 1), args[i]);
    }
  }

  /**
   * Whether a task can be sent once and then named by number: a lambda or method reference that captures
   * nothing (its class has no fields), so every instance of its class is the same task.
   *
   * @param task the task
   * @return whether it is stateless
   */
  public static boolean isStatelessClosure(Task<?> task) {
    return STATELESS.get(task.getClass());
  }

  private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return type.isSynthetic() && type.getName().contains("$$Lambda") && type.getDeclaredFields().length == 0;
    }
  };

  /**
   * Writes a failure: class name, message and stack trace (causes are summed up in the message).
   *
   * @param out where to
   * @param failure the failure
   */
  public static void writeFailure(Output out, Throwable failure) {
    String message = failure.getMessage();
    Throwable cause = failure.getCause();
    if (cause != null && cause != failure) {
      message = (message == null ? "" : message + "; ") + "caused by " + cause;
    }
    writeFailure(out, failure.getClass().getName(), message, failure.getStackTrace());
  }

  /**
   * Writes a failure given as its parts.
   *
   * @param out where to
   * @param className the exception's class name
   * @param message its message, may be {@code null}
   * @param stack its stack trace
   */
  public static void writeFailure(Output out, String className, String message, StackTraceElement[] stack) {
    out.writeString(className);
    out.writeString(message);
    out.writeVarInt(stack.length, true);
    for (StackTraceElement e : stack) {
      out.writeString(e.getClassName());
      out.writeString(e.getMethodName());
      out.writeString(e.getFileName());
      out.writeVarInt(e.getLineNumber(), false);
    }
  }

  /**
   * Reads a failure written by {@link #writeFailure(Output, Throwable)}.
   *
   * @param in where from
   * @return the failure
   */
  public static RemoteFailure readFailure(Input in) {
    String className = in.readString();
    String message = in.readString();
    int n = in.readVarInt(true);
    BoundedInput.charge(in, n);
    StackTraceElement[] stack = new StackTraceElement[n];
    for (int i = 0; i < n; i++) {
      stack[i] = new StackTraceElement(in.readString(), in.readString(), in.readString(), in.readVarInt(false));
    }
    return new RemoteFailure(className, message, stack);
  }

  /**
   * A failure as it came over the wire.
   *
   * @param className the exception's class name
   * @param message its message, may be {@code null}
   * @param stackTrace where it was thrown, in the runner
   */
  public record RemoteFailure(String className, String message, StackTraceElement[] stackTrace) {

    /**
     * @param call the call described
     * @return a {@link TaskException} carrying this failure
     */
    public TaskException toTaskException(String call) {
      return new TaskException(call, className, message, stackTrace);
    }
  }
}
