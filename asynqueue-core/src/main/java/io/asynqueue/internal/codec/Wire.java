package io.asynqueue.internal.codec;

import io.asynqueue.CodecException;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.TaskException;

/**
 * The messages of the task protocol, shared by process and remote workers. Each message is one frame (see
 * {@link FrameWriter}); its first byte is its type. Numbers are Kryo varints; objects are written with their
 * class by {@link KryoCodec#writeObject}.
 *
 * <pre>
 * caller to runner
 *   DEFINE task-ref task                      (a stateless task, sent once; calls then name it by its ref)
 *   CALL   id flags [first-batch-max max-batch-bytes, if ITERATOR] task-ref [task, if task-ref is 0] nargs arg...
 *   NEXT   iterator-id max max-bytes          (the iterator ID is the ID of the call that made it)
 *   CLOSE  iterator-id
 *   INFO   request-id
 *   BYE                                      (finish the calls held, then exit)
 * runner to caller
 *   HELLO  pid cpus
 *   VALUE  id run-nanos value
 *   ERROR  id run-nanos failure              (a call's or a NEXT's)
 *   ITER   id run-nanos batch                (the call returned an iterator; its first batch)
 *   BATCH  iterator-id batch
 *   LOG    stream line                       (0 for System.out, 1 for System.err)
 *   INFO_REPLY request-id heap-used heap-max cpus calls-done
 * batch:   (1 element)* 0 last
 * failure: class message frames (declaring-class method file line)*
 * </pre>
 */
public final class Wire {

  /** Run a task. */
  public static final byte CALL = 1;
  /** Fetch elements of an iterator. */
  public static final byte NEXT = 2;
  /** Drop an iterator. */
  public static final byte CLOSE = 3;
  /** Ask for memory and load figures. */
  public static final byte INFO = 4;
  /** Finish and exit. */
  public static final byte BYE = 5;
  /** Define a task once, for later calls to name by number. */
  public static final byte DEFINE = 6;

  /** The runner is ready. */
  public static final byte HELLO = 16;
  /** A call's result. */
  public static final byte VALUE = 17;
  /** A call's (or a fetch's) failure. */
  public static final byte ERROR = 18;
  /** A call returned an iterator, held by the runner. */
  public static final byte ITER = 19;
  /** Elements of an iterator. */
  public static final byte BATCH = 20;
  /** A line the runner's user code printed. */
  public static final byte LOG = 21;
  /** The answer to {@link #INFO}. */
  public static final byte INFO_REPLY = 22;

  /** CALL flag: the task returns an iterator that stays with the runner. */
  public static final int FLAG_ITERATOR = 1;
  /** CALL flag: run before the other calls held. */
  public static final int FLAG_URGENT = 2;
  /** CALL flag: an update (run on every worker). */
  public static final int FLAG_UPDATE = 4;

  private Wire() {
  }

  /**
   * Writes a task and its arguments, naming what fails: {@code "task"} or {@code "argument 2"}.
   *
   * @param kryo a Kryo of the codec
   * @param out where to
   * @param task the task
   * @param args its arguments
   * @throws CodecException naming the class that cannot be written
   */
  public static void writeTaskAndArgs(Kryo kryo, Output out, Task<?> task, Object[] args) {
    writeCall(kryo, out, 0, task, args);
  }

  /**
   * Writes the task part of a CALL: a task ref (0 for a task written inline), the task if inline, then the
   * arguments.
   *
   * @param kryo a Kryo of the codec
   * @param out where to
   * @param taskRef the number of a task sent before in a DEFINE, or 0 to write {@code task} here
   * @param task the task
   * @param args its arguments
   * @throws CodecException naming the class that cannot be written
   */
  public static void writeCall(Kryo kryo, Output out, int taskRef, Task<?> task, Object[] args) {
    out.writeVarInt(taskRef, true);
    if (taskRef == 0) {
      KryoCodec.writeObject(kryo, out, "task", task);
    }
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
