package io.asynqueue.pipeline;

import io.asynqueue.AsynQueueException;

/**
 * An element failed in a {@link Pipeline}: its stage's function threw (on a worker: the cause is a
 * {@link io.asynqueue.TaskException}), its call timed out ({@link io.asynqueue.TaskTimeoutException}), its
 * worker was lost ({@link io.asynqueue.WorkerLostException}); or the input or the sink failed.
 *
 * <p>It names the stage and carries the element the stage was given, so a failure can be traced to its
 * input. The pipeline's Future fails with it, unless an {@linkplain Pipeline#onError error handler} was set,
 * in which case the handler gets it and the element is dropped.
 */
public class PipelineException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /** The {@link #stage()} of a failure to read the input. */
  public static final String SOURCE = "source";
  /** The {@link #stage()} of a failure of the sink ({@code to}, {@code forEach}, {@code collect}). */
  public static final String SINK = "sink";

  /** @serial the name of the stage that failed, {@link #SOURCE}, {@link #SINK}, or {@code null} */
  private final String stage;
  private final transient Object element;
  /** @serial whether the failure is tied to an element (the element itself is transient) */
  private final boolean hasElement;

  /**
   * A failure of one element.
   *
   * @param stage the stage's name
   * @param element the element the stage was given (may be {@code null})
   * @param cause what went wrong
   */
  public PipelineException(String stage, Object element, Throwable cause) {
    super("stage " + stage + " failed on " + abbreviate(element) + ": " + cause, cause);
    this.stage = stage;
    this.element = element;
    this.hasElement = true;
  }

  /**
   * A failure not tied to an element, such as an input stream that failed.
   *
   * @param stage the stage's name, or {@link #SOURCE} / {@link #SINK}
   * @param cause what went wrong
   */
  public PipelineException(String stage, Throwable cause) {
    super("stage " + stage + " failed: " + cause, cause);
    this.stage = stage;
    this.element = null;
    this.hasElement = false;
  }

  /**
   * A failure of the whole pipeline, for subclasses.
   *
   * @param message what went wrong
   */
  protected PipelineException(String message) {
    super(message, true);
    this.stage = null;
    this.element = null;
    this.hasElement = false;
  }

  /** @return the name of the stage that failed, {@link #SOURCE}, {@link #SINK}, or {@code null} */
  public String stage() {
    return stage;
  }

  /** @return the element the stage was given, or {@code null} (see {@link #hasElement()}) */
  public Object element() {
    return element;
  }

  /** @return whether the failure is tied to an element (which may itself be {@code null}) */
  public boolean hasElement() {
    return hasElement;
  }

  private static String abbreviate(Object element) {
    String text;
    try {
      text = String.valueOf(element);
    } catch (RuntimeException e) {
      text = element.getClass().getName();
    }
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
