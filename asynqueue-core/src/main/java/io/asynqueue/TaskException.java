package io.asynqueue;

/**
 * A task threw an exception. The call's Future fails with this, never the application.
 *
 * <p>It carries the original exception's class name ({@link #exceptionClass()}), its message and its stack
 * trace, whether the task ran in this JVM, in a child process or on a remote server. When the task ran in
 * this JVM the original exception is also the {@linkplain #getCause() cause}; from another JVM there is no
 * cause object, only the class name, message and the remote stack trace (as this exception's own).
 */
public class TaskException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /** @serial the original exception's class name */
  private final String exceptionClass;
  /** @serial the original exception's message, or null */
  private final String exceptionMessage;

  /**
   * Wraps an exception thrown by a task that ran in this JVM.
   *
   * @param call a description of the call, such as {@code timesTwo(3)}
   * @param cause what the task threw
   */
  public TaskException(String call, Throwable cause) {
    super(describe(cause.getClass().getName(), cause.getMessage(), call), cause);
    this.exceptionClass = cause.getClass().getName();
    this.exceptionMessage = cause.getMessage();
    setStackTrace(cause.getStackTrace());
  }

  /**
   * Rebuilds an exception thrown by a task in another JVM.
   *
   * @param call a description of the call
   * @param exceptionClass the remote exception's class name
   * @param message the remote exception's message, may be {@code null}
   * @param stackTrace the remote stack trace
   */
  public TaskException(String call, String exceptionClass, String message, StackTraceElement[] stackTrace) {
    super(describe(exceptionClass, message, call));
    this.exceptionClass = exceptionClass;
    this.exceptionMessage = message;
    setStackTrace(stackTrace);
  }

  /** @return the fully qualified class name of the exception the task threw */
  public String exceptionClass() {
    return exceptionClass;
  }

  /** @return the message of the exception the task threw, may be {@code null} */
  public String exceptionMessage() {
    return exceptionMessage;
  }

  private static String describe(String cls, String message, String call) {
    return cls + (message == null ? "" : ": " + message) + " (doing call " + call + ")";
  }
}
